-- rewrite-html.lua - an HTML message is rebuilt through the milter protocol:
-- every original header but Received is deleted, the rebuilt headers and an
-- X-Mugaika header are added, the body is replaced. Run by run-miltertest.sh
-- with -D sock=unix:PATH (the milter is started once by the runner).

dofile("common.lua")

conn = mt.connect(sock, 20, 0.25)
check(conn ~= nil, "connect to " .. tostring(sock))
step(mt.conninfo(conn, "client.test", "192.0.2.10"), "conninfo")
reply_is(SMFIR_CONTINUE, "conninfo")
-- The milter wants header values with their leading space (SMFIP_HDR_LEADSPC).
check(mt.test_option(conn, SMFIP_HDR_LEADSPC), "SMFIP_HDR_LEADSPC negotiated")
check(mt.test_action(conn, SMFIF_CHGHDRS) and mt.test_action(conn, SMFIF_ADDHDRS)
      and mt.test_action(conn, SMFIF_CHGBODY), "header and body actions negotiated")
step(mt.helo(conn, "client.test"), "helo")
mt.macro(conn, SMFIC_MAIL, "i", "MT0HTML01")
step(mt.mailfrom(conn, "<sender@example.jp>"), "mailfrom")
reply_is(SMFIR_CONTINUE, "mailfrom")
step(mt.rcptto(conn, "<soumu@city.example.lg.jp>"), "rcptto")
reply_is(SMFIR_CONTINUE, "rcptto")

local headers = {
	{ "Received", " from mx.example.jp (mx.example.jp [192.0.2.10])\n\tby gateway.test" },
	{ "From", " Sender <sender@example.jp>" },
	{ "To", " soumu@city.example.lg.jp" },
	{ "Subject", " miltertest html" },
	{ "Message-ID", " <mt-html@example.jp>" },
	{ "X-Mailer", " Tracking Mailer 9.9" },
	{ "X-Campaign-Id", " 12345" },
	{ "MIME-Version", " 1.0" },
	{ "Content-Type", " text/html; charset=utf-8" },
}
for _, h in ipairs(headers) do
	step(mt.header(conn, h[1], h[2]), "header " .. h[1])
	reply_is(SMFIR_CONTINUE, "header " .. h[1])
end
step(mt.eoh(conn), "eoh")
reply_is(SMFIR_CONTINUE, "eoh")
step(mt.bodystring(conn, "<html><body><p>MT-HTML-BODY</p>\r\n" ..
	"<p><a href=\"https://www.city.example.lg.jp/mt\">link</a></p>\r\n" ..
	"<script>alert(1)</script></body></html>\r\n"), "body")
reply_is(SMFIR_CONTINUE, "body")
step(mt.eom(conn), "eom")
reply_is(SMFIR_CONTINUE, "eom (accepted with changes)")

-- headers the rebuilt message does not have, or has with another value,
-- are deleted; Received always stays
for _, name in ipairs({ "X-Mailer", "X-Campaign-Id", "Content-Type" }) do
	check(mt.eom_check(conn, MT_HDRDELETE, name), name .. " deleted")
end
check(not mt.eom_check(conn, MT_HDRDELETE, "Received"), "Received kept")
-- headers the rebuilt message has unchanged are left in place (fewer edits)
for _, name in ipairs({ "From", "To", "Subject", "Message-ID", "MIME-Version" }) do
	check(not mt.eom_check(conn, MT_HDRDELETE, name), name .. " unchanged, left in place")
	check(not mt.eom_check(conn, MT_HDRADD, name), name .. " unchanged, not added again")
end
-- tracking headers are not re-added
check(not mt.eom_check(conn, MT_HDRADD, "X-Mailer"), "X-Mailer not re-added")
check(not mt.eom_check(conn, MT_HDRADD, "X-Campaign-Id"), "X-Campaign-Id not re-added")
header_has("Content-Type", "text/plain", "Content-Type text/plain")
header_has("Content-Transfer-Encoding", "base64", "Content-Transfer-Encoding base64")
local xm = mt.getheader(conn, "X-Mugaika", 0)
check(xm ~= nil, "X-Mugaika added")
check(string.find(xm, "verdict=sanitized", 1, true), "X-Mugaika verdict: " .. xm)
check(string.find(xm, "html=converted", 1, true), "X-Mugaika html=converted: " .. xm)
check(string.match(xm, "id=%d%d%d%d%d%d%d%dT%d%d%d%d%d%d%-%x+"), "X-Mugaika quarantine id: " .. xm)
check(mt.eom_check(conn, MT_BODYCHANGE), "body replaced")
mt.disconnect(conn)
