# tests/e2e/lib.sh - drive a private Postfix instance for end-to-end tests
#
# Source this file from bash (it is not executable on its own):
#
#	. tests/e2e/lib.sh
#	trap e2e_stop_all EXIT
#	e2e_start /tmp/mugaika-e2e/mytest [unix:/path/to/milter.sock]
#	e2e_send a@x.test user@city.example.lg.jp msg.eml	# prints "250 2.0.0 Ok: queued as ..."
#	e2e_wait_sink 1 && e2e_sink_files
#
# The instance is a plain "postfix -c DIR/etc" instance: its own main.cf and
# master.cf, queue, data directory and log file, smtpd on 127.0.0.1 and a free
# port, relaying everything to smtp-sink (which plays the LGWAN mail server)
# on another free loopback port.  Nothing under /etc/postfix is read or
# written, the system instance need not be running and is never touched.
#
# With E2E_ARRANGEMENT=after-queue, e2e_start sets the instance up as
# cdr-milter(8) and etc/postfix/*.example describe: the internet-facing smtpd
# runs MILTER in its screening role (milter_macro_daemon_name =
# mugaika-screen), cleanup expands virtual_alias_maps (DIR/etc/virtual, a
# texthash table, empty at first: e2e_aliases fills it), content_filter
# hands every queued message to a second smtpd on 127.0.0.1:E2E_FILTER_PORT
# that runs MILTER after the queue (mugaika-after-queue,
# no_address_mappings, its own cleanup service with the larger
# message_size_limit), and a third smtpd on 127.0.0.1:E2E_LGWAN_PORT, without
# milter and content filter, takes mail only from E2E_LGWAN_NETWORK (default
# 127.0.0.2/32: send with E2E_CLIENT_ADDR=127.0.0.2): the LGWAN relays.
# With E2E_RETURN_PATH=yes (either arrangement), e2e_start adds the
# return path of cdr-milter(8) (etc/postfix/master.cf.example's
# 127.0.0.1:10026, here on a free port E2E_RETURN_PORT): an smtpd without
# milters and content filter for the follow-ups and releases the gateway
# submits ([release] relay = inet:127.0.0.1:$E2E_RETURN_PORT).
# Sizes: E2E_PUBLIC_SIZE (message_size_limit of main.cf, default 135000000
# before the queue, 50000000 after it) and E2E_FILTER_SIZE (the after-queue
# smtpd and its cleanup, default 135000000), which fit cdr-milter's default
# max_message_bytes (50M) as cdr-milter -n wants.
#
# Must run as root (postfix start, smtp-sink -u postfix).  Needs postfix,
# smtp-sink (package postfix), swaks, ss (iproute2).
#
# Layout of DIR:
#	etc/	main.cf, master.cf
#	queue/	queue_directory (postfix start creates the subdirectories)
#	data/	data_directory
#	sink/	one file per message received by smtp-sink (see below)
#	log/	maillog (written by postlogd), sink.log, swaks transcripts
#	run/	state of this instance: ports, smtp-sink pid, owner pid
#
# Public functions (all return non-zero on failure):
#	e2e_start DIR [MILTER]	create + start an instance; it becomes current;
#				exports E2E_DIR, E2E_SMTP_PORT, E2E_SINK_PORT
#				(after-queue: also E2E_FILTER_PORT, E2E_LGWAN_PORT)
#	e2e_write_config DIR [MILTER]
#				only write DIR/etc/main.cf and master.cf (fixed
#				ports), for checking with postconf -c DIR/etc
#	e2e_aliases 'ADDRESS TARGET,...' ...
#				replace DIR/etc/virtual (virtual_alias_maps of an
#				after-queue instance) and reload
#	e2e_use DIR		make an already started instance current
#	e2e_stop [DIR]		stop postfix and smtp-sink of DIR (default: current)
#	e2e_stop_all		stop every instance started by this shell (for traps)
#	e2e_send FROM TO FILE	send FILE (a complete RFC 5322 message, LF or
#				CRLF line ends) byte-exactly with swaks; prints
#				the server reply that decided the transaction:
#				the reply to the end of DATA, or the first error
#				reply (an unreachable milter with tempfail gives
#				"451 4.7.1 ..." already at MAIL FROM); returns
#				swaks' exit status (0 ok, 23 MAIL, 24 RCPT,
#				25 DATA, 26 end-of-data refused, see swaks(1));
#				TO may list several recipients, comma-separated;
#				E2E_CLIENT_ADDR (e.g. 127.0.0.2) picks the source
#				address, E2E_PORT another smtpd of the instance
#	e2e_send_code FROM TO FILE
#				same, but prints only the 3-digit code
#				(250, 451, 554, ...); "000" if no reply was seen
#	e2e_wait_sink N [TIMEOUT]	wait (default 60 s) until N complete
#				message files are in DIR/sink
#	e2e_sink_files		complete sink files, oldest first
#	e2e_sink_count		number of complete sink files
#	e2e_sink_find QID [TIMEOUT]	wait (default 30 s) for the complete sink
#				file whose Received header carries Postfix queue
#				id QID, print its path
#	e2e_sink_message FILE	the message as relayed by Postfix (the sink's own
#				headers and its trailing empty line removed)
#	e2e_sink_body FILE	only the body of that message
#	e2e_sink_clear		delete all (complete) sink files
#	e2e_sink_stop / e2e_sink_start
#				take the sink down / bring it back on the same
#				port (simulates the LGWAN server being away)
#	e2e_queue_count		messages in the instance's queue
#	e2e_wait_queue_empty [TIMEOUT]
#	e2e_flush		postqueue -f
#	e2e_log			print the maillog
#	e2e_wait_log REGEX [TIMEOUT]	wait until the maillog matches REGEX
#	e2e_postconf 'name = value' ...	change main.cf and reload
#	e2e_reap BASE		stop leftovers in BASE/*/ whose owner shell died
#	e2e_clamd_start DIR [MAX]	a private clamd (tests/clamd.sh: own config,
#				socket DIR/clamd.sock, a test database with EICAR
#				and a marker signature, StreamMaxLength MAX,
#				default 25M); stopped by e2e_stop_all too
#	e2e_clamd_stop DIR	stop it (clamd "goes away")
#	e2e_clamd_socket DIR	unix:DIR/clamd.sock, for [av] clamd
#
# About the questions that come up with private instances:
#
# * alternate_config_directories / multi_instance_directories.  Postfix only
#   insists on them for *unprivileged* callers of the set-gid programs:
#   postqueue(1) and postdrop(1) (via sendmail(1)) refuse "-c DIR" or
#   MAIL_CONFIG=DIR from a non-root user unless DIR is listed in the default
#   instance's (/etc/postfix/main.cf) alternate_config_directories or
#   multi_instance_directories; otherwise a user could point a set-gid
#   program at a config of their choice.  Checked here: as root,
#   "postqueue -c DIR/etc -p|-j|-f" and "sendmail -C DIR/etc" just work; as
#   nobody, postqueue dies with "unauthorized configuration directory name:
#   ... specify alternate_config_directories = ... in /etc/postfix/main.cf".
#   These tests run as root (they have to, to start a master), so
#   /etc/postfix/main.cf is NOT modified; every command gets "-c DIR/etc"
#   explicitly and master passes MAIL_CONFIG on to its daemons itself.
#
# * Config files younger than 2 seconds: Postfix programs that read a
#   main.cf modified within the last ~2 s wait until it has aged (guard
#   against reading a half-written file).  Measured here: postconf on a
#   just-written main.cf 1.8 s, on a backdated one 0.01 s; postfix start and
#   every daemon would pay it too.  We backdate main.cf and master.cf with
#   touch -d '1 minute ago' after every write (also in e2e_postconf).
#
# * No syslog in the container: maillog_file + the postlog service (postlogd)
#   write DIR/log/maillog; maillog_file_prefixes must allow that path.
#
# * smtp-sink -d TEMPLATE: the template goes through strftime(3) and a random
#   8-hex-digit suffix is appended, so "-d DIR/sink/%Y%m%d%H%M%S." gives one
#   file per mail transaction, e.g. sink/20241122061900.809a62e3.  The file is
#   created at MAIL FROM (so it exists *before* the message is complete),
#   starts with smtp-sink's own header lines (X-Client-Addr, X-Client-Proto,
#   X-Helo-Args, X-Mail-Args, X-Rcpt-Args, and a 3-line Received: ... by
#   HOST (smtp-sink) ...), then the full message as received (headers and
#   body, dot-unstuffed, every CR removed, i.e. LF line ends), then one empty
#   line.  It is closed before smtp-sink sends "250" for the final dot, and
#   unlinked if the transaction is aborted.  smtp-sink is a single process, so
#   "complete" here means "no longer open in /proc/SINKPID/fd".
#   -u postfix is required when smtp-sink is started as root; DIR/sink is
#   therefore owned by postfix.
#
# * Fidelity: what arrives in the sink is the sent message plus Postfix's
#   Received: header at the top (local_header_rewrite_clients is empty, so
#   no Message-Id/Date/From is added), with CRs removed by smtp-sink.
#   Postfix's smtp client still folds lines longer than 998 characters
#   (smtp_line_length_limit default), as it would in production.
#
# * DIR should be short (e.g. /tmp/mugaika-e2e/NAME): Postfix's unix sockets
#   live in DIR/queue/{public,private}/ and a milter socket under DIR must
#   fit the 108-byte sun_path limit.

E2E_INSTANCES=()		# every DIR started by this shell
E2E_CLAMDS=()			# every clamd DIR started by this shell
: "${E2E_SEND_TIMEOUT:=180}"	# swaks --timeout, > milter_content_timeout

_e2e_msg() { printf 'e2e: %s\n' "$*" >&2; }

# _e2e_require_dir: E2E_DIR must be set by e2e_start or e2e_use
_e2e_require_dir() {
	if [ -z "${E2E_DIR:-}" ] || [ ! -f "$E2E_DIR/run/env" ]; then
		_e2e_msg "no current instance (call e2e_start or e2e_use)"
		return 1
	fi
}

# _e2e_free_port: set _E2E_PORT to a TCP port nobody listens on and that
# this shell has not handed out yet (not a $(...) function, so that the list
# of handed-out ports survives).  There is a window between this check and
# the bind(); callers verify the listener and retry.
_e2e_free_port() {
	local port i
	for i in $(seq 1 200); do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		case " ${_E2E_PORTS_GIVEN:-} " in *" $port "*) continue ;; esac
		if ! _e2e_listening "$port"; then
			_E2E_PORTS_GIVEN="${_E2E_PORTS_GIVEN:-} $port"
			_E2E_PORT=$port
			return 0
		fi
	done
	_e2e_msg "no free port found"
	return 1
}

# _e2e_listening PORT: is something listening on 127.0.0.1:PORT?
_e2e_listening() {
	ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# _e2e_pid_is PID PATTERN: PID is alive and its command line matches PATTERN
_e2e_pid_is() {
	local pid=$1 pat=$2 cmd
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
	case "$cmd" in *$pat*) return 0 ;; esac
	return 1
}

# _e2e_backdate FILE...: avoid Postfix's "file younger than 2 s" stall
_e2e_backdate() {
	touch -d '1 minute ago' "$@"
}

# _e2e_alive PID: PID exists and is not a zombie.  (In these containers
# pid 1 does not reap orphans, so exited daemons linger as zombies.)
_e2e_alive() {
	local st
	[ -n "$1" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _e2e_wait_gone PID TENTHS: wait until PID has exited
_e2e_wait_gone() {
	local pid=$1 n=$2
	while [ "$n" -gt 0 ]; do
		_e2e_alive "$pid" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	! _e2e_alive "$pid"
}

# _e2e_stop_master DIR: stop the master of DIR if it runs.  Only a master
# whose working directory is DIR/queue is touched (master chdirs to its
# queue_directory), so a recycled pid or the system instance is never hit.
# This is what "postfix stop" does (SIGTERM to master, which terminates its
# children), minus postfix-script's 1-second polling.
_e2e_stop_master() {
	local dir=$1 pid
	[ -f "$dir/queue/pid/master.pid" ] || return 0
	pid=$(awk '{print $1; exit}' "$dir/queue/pid/master.pid" 2>/dev/null)
	_e2e_alive "$pid" || return 0
	[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir/queue" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	_e2e_wait_gone "$pid" 50 && return 0
	# master is a session/process group leader: take the children too
	kill -KILL -- "-$pid" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	_e2e_wait_gone "$pid" 20
}

# _e2e_stop_sink DIR: stop the smtp-sink of DIR (pid in DIR/run/sink.pid,
# checked against its command line, which names DIR/sink/)
_e2e_stop_sink() {
	local dir=$1 pid
	[ -f "$dir/run/sink.pid" ] || return 0
	pid=$(cat "$dir/run/sink.pid" 2>/dev/null)
	if _e2e_pid_is "$pid" "smtp-sink" && _e2e_pid_is "$pid" "$dir/sink/"; then
		kill -TERM "$pid" 2>/dev/null
		_e2e_wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$dir/run/sink.pid"
}

# _e2e_kill_stale DIR: stop whatever a previous (possibly killed) run left
# running in DIR.
_e2e_kill_stale() {
	_e2e_stop_master "$1"
	_e2e_stop_sink "$1"
	return 0
}

# _e2e_write_config DIR SMTP_PORT SINK_PORT MILTER [FILTER_PORT LGWAN_PORT]
# (with FILTER_PORT: the after-queue arrangement)
_e2e_write_config() {
	local dir=$1 smtp_port=$2 sink_port=$3 milter=$4 filter_port=${5:-} lgwan_port=${6:-}
	local shlib daemon command meta public_size screen=
	public_size=${E2E_PUBLIC_SIZE:-135000000}
	if [ -n "$filter_port" ]; then
		public_size=${E2E_PUBLIC_SIZE:-50000000}
		screen="
  -o milter_macro_daemon_name=mugaika-screen"
	fi
	# Debian: shlib /usr/lib/postfix, daemon /usr/lib/postfix/sbin,
	# command /usr/sbin, meta /etc/postfix (postfix-files, dynamicmaps.cf,
	# which are read-only data shipped with the package).
	shlib=$(postconf -dh shlib_directory)
	daemon=$(postconf -dh daemon_directory)
	command=$(postconf -dh command_directory)
	meta=$(postconf -dh meta_directory)

	cat > "$dir/etc/main.cf" <<EOF
# Private Postfix instance written by tests/e2e/lib.sh -- do not edit.
compatibility_level = 3.6

# Where things live.  config_directory is implied by "postfix -c".
queue_directory = $dir/queue
data_directory = $dir/data
shlib_directory = $shlib
daemon_directory = $daemon
command_directory = $command
meta_directory = $meta
mail_owner = postfix
setgid_group = postdrop

# Logging without syslog: postlogd (master.cf "postlog") writes this file.
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir/log
syslog_name = postfix-e2e

# Identity and network.  smtpd listens only where master.cf says.
myhostname = gateway.test
mydomain = gateway.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP mugaika-e2e
# Treat test clients like internet clients: no header rewriting, no
# Message-Id/Date/From added by cleanup (the default permit_inet_interfaces
# would treat 127.0.0.1 as a local client).
local_header_rewrite_clients =

# No local delivery at all; everything is relayed to the sink.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 local delivery disabled in e2e instance
# lg.jp also matches *.lg.jp (relay_domains is in the default
# parent_domain_matches_subdomains); .lg.jp/.test keep that true even if that
# default ever changes.
relay_domains = lg.jp, .lg.jp, test, .test
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [127.0.0.1]:$sink_port
default_transport = smtp
relay_transport = relay

# No DNS anywhere: [127.0.0.1]:port needs no lookup, and the client
# hostname of 127.0.0.1 is not looked up either.
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no

# No TLS.
smtpd_tls_security_level = none
smtp_tls_security_level = none
tls_random_source =

# Sizes: room for cdr-milter's default max_message_bytes (50M): before the
# queue the queue file holds the original and the rebuilt message (2.5 x
# 50M + 1/64 + 1M), after it the internet side takes at most 50M minus
# 1/128 and 64K.  mailbox/virtual limits must not be smaller than
# message_size_limit or postfix refuses to start.
message_size_limit = $public_size
mailbox_size_limit = 0
virtual_mailbox_limit = 0

# Fast queue so that deferred mail shows up (and retries) within seconds.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
in_flow_delay = 0
delay_warning_time = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
biff = no
EOF
	if [ -n "$milter" ]; then
		cat >> "$dir/etc/main.cf" <<EOF

# Content filter under test.
smtpd_milters = $milter
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
milter_content_timeout = 120s
EOF
	fi
	if [ -n "$filter_port" ]; then
		: > "$dir/etc/virtual"
		cat >> "$dir/etc/main.cf" <<EOF

# After-queue arrangement: addresses are expanded here, on the internet
# side, and the queued message goes to the milter's second smtpd.
virtual_alias_maps = texthash:$dir/etc/virtual
content_filter = mugaika:[127.0.0.1]:$filter_port
EOF
	fi

	# No chroot anywhere (column 5 = n): the queue is not populated
	# with /etc files, and unix:/abs/path milter sockets just work.
	cat > "$dir/etc/master.cf" <<EOF
# Private Postfix instance written by tests/e2e/lib.sh -- do not edit.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$smtp_port inet n - n - - smtpd$screen
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	[ -z "$filter_port" ] || cat >> "$dir/etc/master.cf" <<EOF
# After-queue arrangement (cdr-milter(8), etc/postfix/master.cf.example).
mugaika   unix  -       -       n       -       10      smtp
  -o syslog_name=postfix-e2e/mugaika
  -o smtp_send_xforward_command=yes
127.0.0.1:$filter_port inet n - n - - smtpd
  -o syslog_name=postfix-e2e/after-queue
  -o milter_macro_daemon_name=mugaika-after-queue
  -o content_filter=
  -o receive_override_options=no_address_mappings,no_unknown_recipient_checks
  -o smtpd_authorized_xforward_hosts=127.0.0.0/8
  -o mynetworks=127.0.0.0/8
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o message_size_limit=${E2E_FILTER_SIZE:-135000000}
  -o cleanup_service_name=mugaika-cleanup
mugaika-cleanup unix n  -       n       -       0       cleanup
  -o syslog_name=postfix-e2e/mugaika-cleanup
  -o message_size_limit=${E2E_FILTER_SIZE:-135000000}
127.0.0.1:$lgwan_port inet n - n - - smtpd
  -o syslog_name=postfix-e2e/lgwan
  -o content_filter=
  -o smtpd_milters=
  -o mynetworks=${E2E_LGWAN_NETWORK:-127.0.0.2/32}
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_relay_restrictions=permit_mynetworks,reject
EOF
	[ -z "${E2E_RETURN_PORT:-}" ] || cat >> "$dir/etc/master.cf" <<EOF
# The return path (cdr-milter(8), etc/postfix/master.cf.example).
127.0.0.1:$E2E_RETURN_PORT inet n - n - - smtpd
  -o syslog_name=postfix-e2e/mugaika-return
  -o content_filter=
  -o smtpd_milters=
  -o receive_override_options=no_address_mappings,no_unknown_recipient_checks
  -o mynetworks=127.0.0.0/8
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_relay_restrictions=permit_mynetworks,reject
EOF
	_e2e_backdate "$dir/etc/main.cf" "$dir/etc/master.cf"
}

# e2e_write_config DIR [MILTER]: the configuration e2e_start would write
# (E2E_ARRANGEMENT and the sizes as there), with fixed ports, without
# starting anything: for cdr-milter -n --postfix-config DIR/etc
e2e_write_config() {
	local dir=$1
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/log" || return 1
	if [ "${E2E_ARRANGEMENT:-}" = after-queue ]; then
		_e2e_write_config "$dir" 10025 10026 "${2:-}" 10027 10028
	else
		_e2e_write_config "$dir" 10025 10026 "${2:-}"
	fi
}

# e2e_aliases 'ADDRESS TARGET[,TARGET...]' ...: replace the virtual alias
# table of the current (after-queue) instance and reload it
e2e_aliases() {
	local line
	_e2e_require_dir || return 1
	: > "$E2E_DIR/etc/virtual"
	for line in "$@"; do
		printf '%s\n' "$line" >> "$E2E_DIR/etc/virtual"
	done
	_e2e_backdate "$E2E_DIR/etc/virtual"
	postfix -c "$E2E_DIR/etc" reload >/dev/null 2>&1
}

# _e2e_start_sink DIR PORT: start smtp-sink on 127.0.0.1:PORT; sets
# E2E_SINK_PID and DIR/run/sink.pid
_e2e_start_sink() {
	local dir=$1 port=$2 pid i
	# -u postfix: drop root after bind (mandatory as root)
	# -d TEMPLATE: one file per transaction, see the header comment
	# -h: hostname in greeting; must differ from myhostname (loop check)
	# 256: listen backlog
	smtp-sink -u postfix -h lgwan.test -d "$dir/sink/%Y%m%d%H%M%S." \
		"127.0.0.1:$port" 256 </dev/null >>"$dir/log/sink.log" 2>&1 &
	pid=$!
	for i in $(seq 1 50); do
		_e2e_alive "$pid" || return 1
		if _e2e_listening "$port"; then
			E2E_SINK_PID=$pid
			echo "$pid" > "$dir/run/sink.pid"
			return 0
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	return 1
}

# e2e_sink_stop: stop the sink of the current instance (the LGWAN server
# goes away; Postfix defers)
e2e_sink_stop() {
	_e2e_require_dir || return 1
	_e2e_stop_sink "$E2E_DIR"
}

# e2e_sink_start: (re)start the sink of the current instance on its port
e2e_sink_start() {
	local i
	_e2e_require_dir || return 1
	_e2e_stop_sink "$E2E_DIR"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		_e2e_start_sink "$E2E_DIR" "$E2E_SINK_PORT" && {
			_e2e_write_env
			return 0
		}
		sleep 0.5	# port may linger briefly
	done
	_e2e_msg "cannot restart smtp-sink on $E2E_SINK_PORT"
	return 1
}

_e2e_write_env() {
	cat > "$E2E_DIR/run/env" <<EOF
E2E_SMTP_PORT=$E2E_SMTP_PORT
E2E_SINK_PORT=$E2E_SINK_PORT
E2E_SINK_PID=$E2E_SINK_PID
E2E_MILTER='$E2E_MILTER'
E2E_FILTER_PORT=${E2E_FILTER_PORT:-}
E2E_LGWAN_PORT=${E2E_LGWAN_PORT:-}
E2E_RETURN_PORT=${E2E_RETURN_PORT:-}
EOF
}

# e2e_start DIR [MILTER]
e2e_start() {
	local dir=$1 milter=${2:-} attempt out
	if [ -z "$dir" ]; then
		_e2e_msg "usage: e2e_start DIR [MILTER]"
		return 2
	fi
	if [ "$(id -u)" != 0 ]; then
		_e2e_msg "must run as root"
		return 1
	fi
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	if [ "$dir" = / ]; then
		_e2e_msg "refusing DIR=/"
		return 2
	fi

	# Stale state from a run that was killed before e2e_stop.
	_e2e_kill_stale "$dir"
	rm -rf "${dir:?}/etc" "$dir/queue" "$dir/data" "$dir/sink" "$dir/log" "$dir/run"
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/sink" "$dir/log" "$dir/run"
	# The postfix user must be able to traverse DIR (mktemp -d makes 0700).
	chmod 755 "$dir"
	chown postfix "$dir/data" "$dir/sink"
	chmod 700 "$dir/data"
	echo "$$" > "$dir/run/owner.pid"

	E2E_DIR=$dir
	E2E_MILTER=$milter
	E2E_INSTANCES+=("$dir")

	# smtp-sink first: its port goes into main.cf.
	E2E_SINK_PID=
	for attempt in 1 2 3 4 5; do
		_e2e_free_port || return 1
		E2E_SINK_PORT=$_E2E_PORT
		_e2e_start_sink "$dir" "$E2E_SINK_PORT" && break
		E2E_SINK_PID=
	done
	if [ -z "$E2E_SINK_PID" ]; then
		_e2e_msg "smtp-sink did not start:"
		cat "$dir/log/sink.log" >&2
		return 1
	fi

	for attempt in 1 2 3; do
		_e2e_free_port || return 1
		E2E_SMTP_PORT=$_E2E_PORT
		E2E_FILTER_PORT= E2E_LGWAN_PORT= E2E_RETURN_PORT=
		if [ "${E2E_RETURN_PATH:-}" = yes ]; then
			_e2e_free_port || return 1
			E2E_RETURN_PORT=$_E2E_PORT
		fi
		if [ "${E2E_ARRANGEMENT:-}" = after-queue ]; then
			_e2e_free_port || return 1
			E2E_FILTER_PORT=$_E2E_PORT
			_e2e_free_port || return 1
			E2E_LGWAN_PORT=$_E2E_PORT
		fi
		_e2e_write_env
		_e2e_write_config "$dir" "$E2E_SMTP_PORT" "$E2E_SINK_PORT" "$milter" \
			"$E2E_FILTER_PORT" "$E2E_LGWAN_PORT"
		if ! out=$(postfix -c "$dir/etc" check 2>&1); then
			_e2e_msg "postfix check failed: $(printf %s "$out" | head -20)"
			return 1
		fi
		[ -n "$out" ] && _e2e_msg "postfix check: $out"
		# A lost port race makes master's start fail (postfix start -w waits
		# for it and says nothing: the fatal bind error is in the log), or
		# leaves a listener missing: both are tried again on fresh ports.
		if ! out=$(postfix -c "$dir/etc" start 2>&1); then
			_e2e_msg "postfix start failed (attempt $attempt): $out"
			e2e_log 2>/dev/null | tail -5 >&2
			_e2e_stop_master "$dir"
			continue
		fi
		if _e2e_wait_listen "$E2E_SMTP_PORT" 10 &&
			{ [ -z "$E2E_FILTER_PORT" ] || { _e2e_wait_listen "$E2E_FILTER_PORT" 10 &&
				_e2e_wait_listen "$E2E_LGWAN_PORT" 10; }; } &&
			{ [ -z "$E2E_RETURN_PORT" ] || _e2e_wait_listen "$E2E_RETURN_PORT" 10; }; then
			export E2E_DIR E2E_SMTP_PORT E2E_SINK_PORT E2E_FILTER_PORT E2E_LGWAN_PORT \
				E2E_RETURN_PORT
			return 0
		fi
		# Most likely lost the port race: master logs a fatal bind error.
		_e2e_msg "smtpd not listening on $E2E_SMTP_PORT (attempt $attempt)"
		_e2e_stop_master "$dir"
	done
	e2e_log >&2
	return 1
}

# _e2e_wait_listen PORT SECONDS
_e2e_wait_listen() {
	local port=$1 n=$(( $2 * 10 ))
	while [ "$n" -gt 0 ]; do
		_e2e_listening "$port" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# e2e_use DIR: make DIR the current instance
e2e_use() {
	local dir
	dir=$(cd "$1" 2>/dev/null && pwd -P) || return 1
	[ -f "$dir/run/env" ] || { _e2e_msg "$1: not an e2e instance"; return 1; }
	E2E_DIR=$dir
	. "$dir/run/env"
	export E2E_DIR E2E_SMTP_PORT E2E_SINK_PORT E2E_FILTER_PORT E2E_LGWAN_PORT
}

# e2e_stop [DIR]: stop postfix and the sink of DIR (default: current).
# Leaves DIR in place for post-mortem; e2e_start DIR wipes it.
e2e_stop() {
	local dir=${1:-${E2E_DIR:-}}
	[ -n "$dir" ] || return 0
	dir=$(cd "$dir" 2>/dev/null && pwd -P) || return 0
	_e2e_kill_stale "$dir"
	rm -f "$dir/run/owner.pid"
	return 0
}

# e2e_stop_all: stop every instance (and clamd) this shell started (use in
# a trap)
e2e_stop_all() {
	local d
	for d in "${E2E_INSTANCES[@]}"; do
		e2e_stop "$d"
	done
	E2E_INSTANCES=()
	for d in "${E2E_CLAMDS[@]}"; do
		clamd_stop "$d"
	done
	E2E_CLAMDS=()
}

# The private clamd of tests/clamd.sh, for [av].
declare -F clamd_start >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/../clamd.sh"

e2e_clamd_start() {
	E2E_CLAMDS+=("$1")
	clamd_start "$@"
}

e2e_clamd_stop() {
	clamd_stop "$1"
}

e2e_clamd_socket() {
	clamd_socket "$1"
}

# e2e_reap BASE: stop instances under BASE/*/ left by dead shells
e2e_reap() {
	local d owner
	for d in "$1"/*/; do
		d=${d%/}
		[ -d "$d/run" ] || continue
		owner=$(cat "$d/run/owner.pid" 2>/dev/null)
		if [ "$owner" != "$$" ] && _e2e_alive "$owner"; then
			continue
		fi
		_e2e_kill_stale "$d"
	done
}

# _e2e_smtp_data FILE OUT: turn a message file into the exact DATA payload:
# every line ending CRLF (bare LF -> CRLF, existing CRLF kept), leading dots
# doubled, a final CRLF if missing, then the terminating ".".  (swaks adds
# the CRLF after the ".".)
_e2e_smtp_data() {
	perl -0777 -pe '
		s/\r?\n/\r\n/g;
		s/^\./../mg;
		$_ .= "\r\n" if length($_) && !/\r\n\z/;
		$_ .= ".";
	' "$1" > "$2"
}

# _e2e_swaks FROM TO FILE LOG: run swaks, transcript to LOG
_e2e_swaks() {
	local from=$1 to=$2 file=$3 log=$4 data rc
	# swaks' own DATA "fixup" is unusable for byte-exact tests: it replaces
	# %DATE%-style tokens, turns a literal backslash-n into CRLF, strips a
	# leading "From " line, re-folds the header and appends an extra CRLF.
	# So: --no-data-fixup and we do CRLF + dot-stuffing ourselves.
	# --suppress-data keeps a 20 MB message out of the transcript (and
	# makes the transcript's shape predictable for _e2e_decisive_reply).
	data=$log.data
	_e2e_smtp_data "$file" "$data" || return 1
	swaks --server 127.0.0.1 --port "${E2E_PORT:-$E2E_SMTP_PORT}" \
		${E2E_CLIENT_ADDR:+--local-interface "$E2E_CLIENT_ADDR"} \
		--helo client.test --from "$from" --to "$to" \
		--data "@$data" --no-data-fixup --suppress-data \
		--timeout "$E2E_SEND_TIMEOUT" >"$log" 2>&1
	rc=$?
	rm -f "$data"
	return "$rc"
}

# _e2e_decisive_reply LOG: the reply that ended the transaction: the first
# error reply (swaks marks it "<**"), else the reply after the data.
_e2e_decisive_reply() {
	awk '
		/^<\*\* +[0-9][0-9][0-9]/ { if (!err) err = $0; next }
		/^ [-~]> [0-9]+ lines sent$/ { sent = 1; next }
		/^<[-~] +[0-9][0-9][0-9]/ && sent && !dot { dot = $0 }
		END {
			r = err ? err : dot
			sub(/^<(\*\*|-|~) +/, "", r)
			print r
		}' "$1"
}

# e2e_send FROM TO FILE
e2e_send() {
	local from=$1 to=$2 file=$3 log rc
	_e2e_require_dir || return 1
	[ -r "$file" ] || { _e2e_msg "cannot read $file"; return 1; }
	_E2E_SEND_SEQ=$(( ${_E2E_SEND_SEQ:-0} + 1 ))
	log=$E2E_DIR/log/swaks.$$.$_E2E_SEND_SEQ.log
	_e2e_swaks "$from" "$to" "$file" "$log"
	rc=$?
	_E2E_LAST_SWAKS_LOG=$log
	_e2e_decisive_reply "$log"
	return "$rc"
}

# e2e_send_code FROM TO FILE: print only the 3-digit reply code
e2e_send_code() {
	local line rc
	line=$(e2e_send "$@")
	rc=$?
	case "$line" in
	[0-9][0-9][0-9]*) echo "${line:0:3}" ;;
	*) echo 000 ;;
	esac
	return "$rc"
}

# e2e_last_transcript: path of the last swaks transcript of this shell
# (only meaningful when e2e_send did not run in a subshell)
e2e_last_transcript() {
	echo "${_E2E_LAST_SWAKS_LOG:-}"
}

# _e2e_sink_open_files: files smtp-sink still has open (being written)
_e2e_sink_open_files() {
	local pid fd
	pid=$(cat "$E2E_DIR/run/sink.pid" 2>/dev/null) || return 0
	[ -d "/proc/$pid/fd" ] || return 0
	for fd in /proc/"$pid"/fd/*; do
		readlink "$fd" 2>/dev/null
	done | grep -F "$E2E_DIR/sink/" || true
}

# e2e_sink_files: complete message files, oldest first
e2e_sink_files() {
	local open
	_e2e_require_dir || return 1
	open=$(_e2e_sink_open_files)
	find "$E2E_DIR/sink" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2- |
	if [ -n "$open" ]; then
		grep -vxF "$open"
	else
		cat
	fi
	return 0
}

e2e_sink_count() {
	e2e_sink_files | grep -c . || true
}

# e2e_sink_find QID [TIMEOUT]
e2e_sink_find() {
	local qid=$1 end=$((SECONDS + ${2:-30})) f
	[ -n "$qid" ] || return 1
	while :; do
		f=$(e2e_sink_files | xargs -r awk -v q="$qid" '
			FNR > 15 { nextfile }
			match($0, " id " q "([^0-9A-Za-z]|$)") { print FILENAME; exit }' 2>/dev/null |
			head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# e2e_wait_sink N [TIMEOUT]
e2e_wait_sink() {
	local want=$1 timeout=${2:-60} end have
	_e2e_require_dir || return 1
	end=$(( $(date +%s%N) / 1000000 + timeout * 1000 ))
	while :; do
		have=$(e2e_sink_count)
		[ "$have" -ge "$want" ] && return 0
		if [ $(( $(date +%s%N) / 1000000 )) -ge "$end" ]; then
			_e2e_msg "e2e_wait_sink: $have of $want messages after ${timeout}s"
			return 1
		fi
		sleep 0.1
	done
}

e2e_sink_clear() {
	_e2e_require_dir || return 1
	e2e_sink_files | while IFS= read -r f; do rm -f -- "$f"; done
}

# e2e_sink_message FILE: strip smtp-sink's header lines (X-Client-Addr ...
# X-Rcpt-Args and its own "Received: ... (smtp-sink) ..." record with its
# continuation lines) and the empty line it appends.  Binary-safe.
e2e_sink_message() {
	perl -0777 -pe '
		s/\A(?:X-(?:Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): [^\n]*\n)*Received: [^\n]*\n(?:[ \t][^\n]*\n)*//;
		s/\n\z//;
	' "$1"
}

# e2e_sink_body FILE: the message body (after the first empty line)
e2e_sink_body() {
	e2e_sink_message "$1" | perl -0777 -ne 'print $1 if /\n\n(.*)\z/s'
}

# e2e_queue_count: messages in maildrop/incoming/active/deferred/hold
e2e_queue_count() {
	local out
	_e2e_require_dir || return 1
	# As root postqueue accepts -c without alternate_config_directories.
	if out=$(postqueue -c "$E2E_DIR/etc" -j 2>/dev/null); then
		printf '%s' "$out" | grep -c '^{' || true
	else
		# showq unavailable (instance stopped?): count queue files
		find "$E2E_DIR/queue/maildrop" "$E2E_DIR/queue/incoming" \
			"$E2E_DIR/queue/active" "$E2E_DIR/queue/deferred" \
			"$E2E_DIR/queue/hold" -type f 2>/dev/null | grep -c . || true
	fi
}

# e2e_wait_queue_empty [TIMEOUT]
e2e_wait_queue_empty() {
	local timeout=${1:-60} i
	for i in $(seq 1 $(( timeout * 5 ))); do
		[ "$(e2e_queue_count)" -eq 0 ] && return 0
		sleep 0.2
	done
	return 1
}

e2e_flush() {
	_e2e_require_dir || return 1
	postqueue -c "$E2E_DIR/etc" -f
}

e2e_log() {
	_e2e_require_dir || return 1
	cat "$E2E_DIR/log/maillog" 2>/dev/null
}

# e2e_wait_log REGEX [TIMEOUT]: wait until the maillog matches (grep -E)
e2e_wait_log() {
	local re=$1 timeout=${2:-30} i
	_e2e_require_dir || return 1
	for i in $(seq 1 $(( timeout * 10 ))); do
		grep -Eq -- "$re" "$E2E_DIR/log/maillog" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# e2e_postconf 'name = value' ...: edit main.cf of the current instance and
# reload it
e2e_postconf() {
	_e2e_require_dir || return 1
	postconf -c "$E2E_DIR/etc" -e "$@" || return 1
	_e2e_backdate "$E2E_DIR/etc/main.cf"
	postfix -c "$E2E_DIR/etc" reload >/dev/null 2>&1
}
