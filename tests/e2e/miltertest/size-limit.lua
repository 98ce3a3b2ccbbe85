-- size-limit.lua - [milter] max_message_bytes (64K in run-miltertest.sh's
-- configuration, oversize_action = reject): a SIZE= over the cap is refused
-- already at MAIL FROM, a message without SIZE= is refused as soon as its
-- bytes pass the cap, and the connection stays usable for the next message.
-- Run by run-miltertest.sh with -D sock=unix:PATH.

dofile("common.lua")

local CAP = 64 * 1024

conn = mt.connect(sock, 20, 0.25)
check(conn ~= nil, "connect to " .. tostring(sock))
step(mt.conninfo(conn, "client.test", "192.0.2.30"), "conninfo")
step(mt.helo(conn, "client.test"), "helo")

-- 1: SIZE= over the cap: a custom reply (552 5.3.4) at MAIL FROM
step(mt.mailfrom(conn, "<big@example.jp>", "SIZE=" .. (CAP + 1)), "mailfrom SIZE over")
reply_is(SMFIR_REPLYCODE, "MAIL FROM with SIZE=" .. (CAP + 1))

-- 2: SIZE= at the cap is fine; the body then grows past it without a SIZE
-- promise being kept: refused at the body chunk that crosses the cap
mt.macro(conn, SMFIC_MAIL, "i", "MT0SIZE02")
step(mt.mailfrom(conn, "<big@example.jp>", "SIZE=" .. CAP), "mailfrom SIZE at cap")
reply_is(SMFIR_CONTINUE, "MAIL FROM with SIZE=" .. CAP)
step(mt.rcptto(conn, "<soumu@city.example.lg.jp>"), "rcptto")
reply_is(SMFIR_CONTINUE, "rcptto")
step(mt.header(conn, "From", " big@example.jp"), "header")
step(mt.header(conn, "Subject", " MT-BIG"), "header")
step(mt.eoh(conn), "eoh")
reply_is(SMFIR_CONTINUE, "eoh")
local line = string.rep("x", 1022) .. "\r\n"
local chunk = string.rep(line, 16) -- 16 KB
local sent, refused_at = 0, nil
for i = 1, 8 do
	step(mt.bodystring(conn, chunk), "body chunk " .. i)
	sent = sent + #chunk
	local r = mt.getreply(conn)
	if r == SMFIR_REPLYCODE then
		refused_at = sent
		break
	end
	check(r == SMFIR_CONTINUE, "body chunk " .. i .. ": reply " .. tostring(r))
end
check(refused_at ~= nil, "body of " .. sent .. " bytes not refused")
check(refused_at > CAP - #chunk and refused_at <= CAP + #chunk,
      "refused at " .. tostring(refused_at) .. " bytes, cap " .. CAP)

-- 3: the next message on this connection is rebuilt normally
mt.macro(conn, SMFIC_MAIL, "i", "MT0SIZE03")
step(mt.mailfrom(conn, "<small@example.jp>", "SIZE=300"), "mailfrom small")
reply_is(SMFIR_CONTINUE, "MAIL FROM small")
step(mt.rcptto(conn, "<soumu@city.example.lg.jp>"), "rcptto small")
step(mt.header(conn, "From", " small@example.jp"), "header")
step(mt.header(conn, "Subject", " MT-SMALL"), "header")
step(mt.eoh(conn), "eoh")
step(mt.bodystring(conn, "MT-SMALL-BODY\r\n"), "body small")
reply_is(SMFIR_CONTINUE, "body small")
step(mt.eom(conn), "eom small")
reply_is(SMFIR_CONTINUE, "eom small")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika"), "X-Mugaika on the small message")
check(not mt.eom_check(conn, MT_HDRADD, "Subject", " MT-BIG"), "nothing of the refused message")
mt.disconnect(conn)
