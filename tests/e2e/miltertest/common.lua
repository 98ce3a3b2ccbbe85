-- common.lua - the checks every miltertest script here uses; loaded with
-- dofile("common.lua") (run-miltertest.sh runs the scripts from this folder).
-- A failed check names the script line that called it.

-- Fail the script with `what` unless cond holds. level (default 1) is how
-- many calls up the failure is reported: 2 from the helpers below.
function check(cond, what, level)
	if not cond then error(what, (level or 1) + 1) end
end

-- A miltertest call succeeded (they return nil on success).
function step(r, what)
	check(r == nil, what .. ": " .. tostring(r), 2)
end

-- The milter's reply to the last command on the global `conn`.
function reply_is(want, what)
	local got = mt.getreply(conn)
	check(got == want, what .. ": reply " .. tostring(got) .. ", want " .. tostring(want), 2)
end

-- The message just ended on the global `conn` has a header `name` (the first
-- one) with `text` in its value; returns the value.
function header_has(name, text, what)
	local v = mt.getheader(conn, name, 0)
	check(v ~= nil and string.find(v, text, 1, true), what .. ": " .. tostring(v), 2)
	return v
end
