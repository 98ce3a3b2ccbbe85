-- abort-reuse.lua - a message aborted half-way (the client sent RSET or
-- hung up in DATA) leaves nothing behind: the next message on the same
-- milter connection is rebuilt from its own headers and body only, and a
-- third one after a normal end of message as well. Run by run-miltertest.sh
-- with -D sock=unix:PATH.

function check(cond, what)
	if not cond then error(what, 2) end
end

function step(r, what)
	check(r == nil, what .. ": " .. tostring(r))
end

function reply_is(want, what)
	local got = mt.getreply(conn)
	check(got == want, what .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
end

function envelope(qid, from, to)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	step(mt.mailfrom(conn, from), "mailfrom " .. qid)
	reply_is(SMFIR_CONTINUE, "mailfrom " .. qid)
	step(mt.rcptto(conn, to), "rcptto " .. qid)
	reply_is(SMFIR_CONTINUE, "rcptto " .. qid)
end

function headers(list)
	for _, h in ipairs(list) do
		step(mt.header(conn, h[1], h[2]), "header " .. h[1])
		reply_is(SMFIR_CONTINUE, "header " .. h[1])
	end
	step(mt.eoh(conn), "eoh")
	reply_is(SMFIR_CONTINUE, "eoh")
end

conn = mt.connect(sock, 20, 0.25)
check(conn ~= nil, "connect to " .. tostring(sock))
step(mt.conninfo(conn, "client.test", "192.0.2.20"), "conninfo")
step(mt.helo(conn, "client.test"), "helo")

-- 1: aborted after part of the body
envelope("MT0ABORT1", "<first@example.jp>", "<soumu@city.example.lg.jp>")
headers({
	{ "From", " first@example.jp" },
	{ "Subject", " MT-FIRST-SUBJECT" },
	{ "X-Only-In-First", " yes" },
	{ "X-Only-In-First", " twice" },
	{ "Content-Type", " text/html" },
})
step(mt.bodystring(conn, "<p>MT-FIRST-BODY</p>\r\n"), "body 1")
reply_is(SMFIR_CONTINUE, "body 1")
step(mt.abort(conn), "abort")

-- 2: a complete message on the same connection
envelope("MT0ABORT2", "<second@example.jp>", "<soumu@city.example.lg.jp>")
headers({
	{ "From", " second@example.jp" },
	{ "Subject", " MT-SECOND-SUBJECT" },
	{ "Message-ID", " <mt-second@example.jp>" },
})
step(mt.bodystring(conn, "MT-SECOND-BODY\r\n"), "body 2")
reply_is(SMFIR_CONTINUE, "body 2")
step(mt.eom(conn), "eom 2")
reply_is(SMFIR_CONTINUE, "eom 2")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika"), "message 2 rebuilt")
check(not mt.eom_check(conn, MT_HDRDELETE, "Subject"), "message 2's unchanged Subject left in place")
check(not mt.eom_check(conn, MT_HDRDELETE, "From"), "message 2's unchanged From left in place")
check(not mt.eom_check(conn, MT_HDRADD, "Subject", " MT-FIRST-SUBJECT"), "nothing of message 1 added")
-- message 2 has no X-Only-In-First: a stale header list would delete it
check(not mt.eom_check(conn, MT_HDRDELETE, "X-Only-In-First"), "no deletion of message 1's headers")
local ct = mt.getheader(conn, "Content-Type", 0)
check(ct ~= nil and string.find(ct, "text/plain", 1, true), "Content-Type of message 2: " .. tostring(ct))
local x2 = mt.getheader(conn, "X-Mugaika", 0)
check(x2 ~= nil and string.find(x2, "html=no", 1, true), "message 2 X-Mugaika (no HTML): " .. tostring(x2))
check(mt.eom_check(conn, MT_BODYCHANGE), "body 2 replaced")

-- 3: and another one after a normal end of message
envelope("MT0ABORT3", "<third@example.jp>", "<soumu@city.example.lg.jp>")
headers({
	{ "From", " third@example.jp" },
	{ "Subject", " MT-THIRD-SUBJECT" },
	{ "Content-Type", " text/html; charset=us-ascii" },
})
step(mt.bodystring(conn, "<p>MT-THIRD-BODY</p>\r\n"), "body 3")
step(mt.eom(conn), "eom 3")
reply_is(SMFIR_CONTINUE, "eom 3")
check(mt.eom_check(conn, MT_HDRDELETE, "Content-Type"), "message 3's HTML Content-Type replaced")
check(not mt.eom_check(conn, MT_HDRADD, "Message-ID"), "no Message-ID left over from message 2")
local x3 = mt.getheader(conn, "X-Mugaika", 0)
check(x3 ~= nil and string.find(x3, "html=converted", 1, true), "message 3 X-Mugaika: " .. tostring(x3))
local id2 = string.match(x2, "id=([%w%-]+)")
local id3 = string.match(x3, "id=([%w%-]+)")
check(id2 ~= nil and id3 ~= nil and id2 ~= id3, "different quarantine ids: " ..
      tostring(id2) .. " " .. tostring(id3))
mt.disconnect(conn)
