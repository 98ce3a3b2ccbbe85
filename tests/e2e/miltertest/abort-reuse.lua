-- abort-reuse.lua - a message aborted half-way (the client sent RSET or
-- hung up in DATA) leaves nothing behind: the next message on the same
-- milter connection is rebuilt from its own headers and body only, and a
-- third one after a normal end of message as well. Run by run-miltertest.sh
-- with -D sock=unix:PATH.

dofile("common.lua")

-- begin(qid, who, subject, extra, body): a message from <WHO@example.jp> to
-- soumu@city.example.lg.jp up to its first body chunk: the headers From and
-- Subject, then the { name, value } pairs in extra. Every step gets continue.
local function begin(qid, who, subject, extra, body)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	step(mt.mailfrom(conn, "<" .. who .. "@example.jp>"), "mailfrom " .. qid)
	reply_is(SMFIR_CONTINUE, "mailfrom " .. qid)
	step(mt.rcptto(conn, "<soumu@city.example.lg.jp>"), "rcptto " .. qid)
	reply_is(SMFIR_CONTINUE, "rcptto " .. qid)
	local list = { { "From", " " .. who .. "@example.jp" }, { "Subject", " " .. subject } }
	for _, h in ipairs(extra) do
		list[#list + 1] = h
	end
	for _, h in ipairs(list) do
		step(mt.header(conn, h[1], h[2]), "header " .. h[1] .. " " .. qid)
		reply_is(SMFIR_CONTINUE, "header " .. h[1] .. " " .. qid)
	end
	step(mt.eoh(conn), "eoh " .. qid)
	reply_is(SMFIR_CONTINUE, "eoh " .. qid)
	step(mt.bodystring(conn, body), "body " .. qid)
	reply_is(SMFIR_CONTINUE, "body " .. qid)
end

-- message(...): begin(...), then the end of message, accepted (continue)
local function message(qid, who, subject, extra, body)
	begin(qid, who, subject, extra, body)
	step(mt.eom(conn), "eom " .. qid)
	reply_is(SMFIR_CONTINUE, "eom " .. qid)
end

conn = mt.connect(sock, 20, 0.25)
check(conn ~= nil, "connect to " .. tostring(sock))
step(mt.conninfo(conn, "client.test", "192.0.2.20"), "conninfo")
step(mt.helo(conn, "client.test"), "helo")

-- 1: aborted after part of the body
begin("MT0ABORT1", "first", "MT-FIRST-SUBJECT", {
	{ "X-Only-In-First", " yes" },
	{ "X-Only-In-First", " twice" },
	{ "Content-Type", " text/html" },
}, "<p>MT-FIRST-BODY</p>\r\n")
step(mt.abort(conn), "abort")

-- 2: a complete message on the same connection
message("MT0ABORT2", "second", "MT-SECOND-SUBJECT", {
	{ "Message-ID", " <mt-second@example.jp>" },
}, "MT-SECOND-BODY\r\n")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika"), "message 2 rebuilt")
check(not mt.eom_check(conn, MT_HDRDELETE, "Subject"), "message 2's unchanged Subject left in place")
check(not mt.eom_check(conn, MT_HDRDELETE, "From"), "message 2's unchanged From left in place")
check(not mt.eom_check(conn, MT_HDRADD, "Subject", " MT-FIRST-SUBJECT"), "nothing of message 1 added")
-- message 2 has no X-Only-In-First: a stale header list would delete it
check(not mt.eom_check(conn, MT_HDRDELETE, "X-Only-In-First"), "no deletion of message 1's headers")
header_has("Content-Type", "text/plain", "Content-Type of message 2")
local x2 = header_has("X-Mugaika", "html=no", "message 2 X-Mugaika (no HTML)")
check(mt.eom_check(conn, MT_BODYCHANGE), "body 2 replaced")

-- 3: and another one after a normal end of message
message("MT0ABORT3", "third", "MT-THIRD-SUBJECT", {
	{ "Content-Type", " text/html; charset=us-ascii" },
}, "<p>MT-THIRD-BODY</p>\r\n")
check(mt.eom_check(conn, MT_HDRDELETE, "Content-Type"), "message 3's HTML Content-Type replaced")
check(not mt.eom_check(conn, MT_HDRADD, "Message-ID"), "no Message-ID left over from message 2")
local x3 = header_has("X-Mugaika", "html=converted", "message 3 X-Mugaika")
local id2 = string.match(x2, "id=([%w%-]+)")
local id3 = string.match(x3, "id=([%w%-]+)")
check(id2 ~= nil and id3 ~= nil and id2 ~= id3, "different quarantine ids: " ..
      tostring(id2) .. " " .. tostring(id3))
mt.disconnect(conn)
