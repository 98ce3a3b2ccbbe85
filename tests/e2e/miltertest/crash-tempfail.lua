-- crash-tempfail.lua - the worker dies on an attachment (run-miltertest.sh
-- points the milter at build/tests/test-worker, which segfaults on an object
-- starting with "MUGAIKA-TEST-CRASH"): the milter answers with a reply code
-- of its own at end of message (451 4.7.0; miltertest only shows that a reply
-- code was set, the runner checks the audit record and test-milter.sh the
-- text through Postfix) and asks for no change at all, so nothing
-- half-rewritten reaches the MTA; the pool recovers and the next message on
-- the same connection is rebuilt. Run by run-miltertest.sh with
-- -D sock=unix:PATH.

dofile("common.lua")

function message(qid, subject, body, ctype)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	step(mt.mailfrom(conn, "<sender@example.jp>"), "mailfrom " .. qid)
	reply_is(SMFIR_CONTINUE, "mailfrom " .. qid)
	step(mt.rcptto(conn, "<soumu@city.example.lg.jp>"), "rcptto " .. qid)
	step(mt.header(conn, "From", " sender@example.jp"), "From " .. qid)
	step(mt.header(conn, "Subject", " " .. subject), "Subject " .. qid)
	step(mt.header(conn, "MIME-Version", " 1.0"), "MIME-Version " .. qid)
	step(mt.header(conn, "Content-Type", " " .. ctype), "Content-Type " .. qid)
	step(mt.eoh(conn), "eoh " .. qid)
	step(mt.bodystring(conn, body), "body " .. qid)
	reply_is(SMFIR_CONTINUE, "body " .. qid)
	step(mt.eom(conn), "eom " .. qid)
end

conn = mt.connect(sock, 20, 0.25)
check(conn ~= nil, "connect to " .. tostring(sock))
step(mt.conninfo(conn, "client.test", "192.0.2.40"), "conninfo")
step(mt.helo(conn, "client.test"), "helo")

-- "MUGAIKA-TEST-CRASH: ..." in base64
local crash = "TVVHQUlLQS1URVNULUNSQVNIOiBzZWdmYXVsdCBwbGVhc2UK"
message("MT0CRASH1", "MT-CRASH", table.concat({
	"--b1",
	"Content-Type: text/plain; charset=us-ascii",
	"",
	"MT-CRASH-BODY",
	"--b1",
	"Content-Type: text/plain; charset=us-ascii",
	"Content-Disposition: attachment; filename=\"report.txt\"",
	"Content-Transfer-Encoding: base64",
	"",
	crash,
	"--b1--",
	"" }, "\r\n"), "multipart/mixed; boundary=\"b1\"")
reply_is(SMFIR_REPLYCODE, "eom of the crashing message")
check(not mt.eom_check(conn, MT_HDRADD), "no header added")
check(not mt.eom_check(conn, MT_HDRDELETE), "no header deleted")
check(not mt.eom_check(conn, MT_BODYCHANGE), "body not replaced")

message("MT0CRASH2", "MT-AFTER-CRASH", "<p>MT-AFTER-CRASH-BODY</p>\r\n", "text/html")
reply_is(SMFIR_CONTINUE, "eom of the message after the crash")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika"), "next message rebuilt")
header_has("X-Mugaika", "html=converted", "X-Mugaika")
mt.disconnect(conn)
