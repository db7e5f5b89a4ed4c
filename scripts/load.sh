#!/usr/bin/env bash
# scripts/load.sh — HTTP load figures for `fullauth serve`, in one run, on loopback.
#
# Builds ./cmd/fullauth and ./scripts/bare into a temporary directory, starts on free
# 127.0.0.1 ports:
#   bare     scripts/bare: GET /bare answers a ~160-byte JSON body, no auth (the baseline)
#   memory   fullauth serve, FULLAUTH_DATABASE_URL=memory:
#   sqlite   fullauth serve, FULLAUTH_DATABASE_URL=sqlite:<temp file>
#   sqlite0  the same with the user cache off (FULLAUTH_USER_CACHE_SECONDS=0), own file
#   refresh  fullauth serve, memory:, FULLAUTH_REFRESH_TOKEN_ROTATION=false (see (4))
# registers users and logs in with curl, then drives each scenario with wrk for DURATION.
# Scenarios (1)-(4) run interleaved: ROUNDS rounds, each running (1), (1b), (2), (3), (3b), (4)
# in turn for DURATION/ROUNDS, so that every ratio to (1) compares loads spread over the same
# minute; a slow spell of the machine (a neighbour on the host, say) then lands on every
# scenario alike instead of on whichever ran during it. req/s is over all rounds; p50 is the
# median of the rounds' p50s, p99 the highest of their p99s.
#   (1) GET /bare                       bare, CONNS connections
#   (1b) GET /bare with (2)'s Authorization header: the bare handler ignores it, so this
#       row shows what receiving the ~360-byte bearer token costs before any auth code runs;
#       no target
#   (2) GET /me, bearer token           memory, CONNS connections
#   (3) GET /me, bearer token           sqlite, CONNS connections
#   (3b) GET /me, bearer token          sqlite0, CONNS connections: every request reads the
#       database, where (3) reads it about once a second (the cache age) and otherwise answers
#       from the cache, validated by the user's generation in the KV; no target
#   (4) POST /refresh                   refresh server, CONNS connections. Rotation makes a
#       refresh token single-use, and wrk cannot chain one connection's answers into its next
#       request, so this instance runs with rotation off: the same refresh token is presented
#       every time. It measures verify + user and token lookup + a new access token, NOT the
#       rotation's store write.
#   (5) POST /login                     memory, LOGIN_CONNS connections over LOGIN_USERS users;
#       argon2id at its default parameters, behind the bounded hashing pool.
#   (6) GET /me while LOGIN_CONNS logins run: a login load as in (5) runs in the background on
#       the memory server, and /me is measured at ME_CONNS connections meanwhile.
# and prints one table: req/s, p50, p99, ratio to (1), target, PASS/FAIL.
#
# Targets: (2) >= 0.8 x (1) req/s; (3) >= 0.6 x (1) req/s; (6) p99 < 20 ms. Any non-2xx
# answer or socket error in a scenario fails it. Exit status: 0 all met, 1 a target missed,
# 2 setup failed.
#
# Server settings besides the database: FULLAUTH_SECRET_KEY (random per run),
# FULLAUTH_LOG_LEVEL=warn (logging stays off the hot path), and the per-IP route limits raised
# with FULLAUTH_AUTH_RATE_LIMITS (all load comes from 127.0.0.1 and would be throttled at the
# defaults of 5 logins / 30 refreshes a minute; the limiter still runs on each of them).
# Lockout stays at its default: each login user has at most a couple of attempts in flight.
# Every other FULLAUTH_* variable of the caller's environment is ignored, and the servers run
# in the temp directory (no .env is read).
#
# Environment (defaults):
#   DURATION=10s      length of each measured scenario, in all (wrk -d)
#   ROUNDS=5          rounds that (1)-(4) are interleaved in, each DURATION/ROUNDS long (whole
#                     seconds, rounded down)
#   WARMUP=1s         unmeasured load before (1)-(4) on each server; 0 to skip
#   CONNS=32          connections for (1)-(4)
#   THREADS=2         wrk threads for (1)-(5)
#   LOGIN_CONNS=32    concurrent logins in (5) and in the background of (6)
#   LOGIN_USERS=32    distinct users the logins cycle through (>= LOGIN_CONNS/2 keeps lockout quiet)
#   ME_CONNS=4        connections measuring /me in (6)
#   KEEP=0            1 keeps the temp dir (server logs, wrk outputs) and prints its path
#   SERVER_ENV=       extra VAR=value settings, space-separated, for every fullauth server (not
#                     bare), to measure a variant: e.g. SERVER_ENV='GOMAXPROCS=8'
#
# Needs go, curl and wrk (Debian: `apt-get install -y wrk`). Loads loopback only; every
# scenario is bounded by DURATION (wrk -d) and every wait by a timeout. With the defaults a
# run takes about 2 minutes. Run from anywhere:  scripts/load.sh
#
# URL_*, PID_*, ACCESS_*, REFRESH_* and MARK_* are set with printf -v and read with ${!name}:
# shellcheck disable=SC2034,SC2154
# cleanup runs from the EXIT trap:
# shellcheck disable=SC2317
set -euo pipefail

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-1s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
LOGIN_CONNS=${LOGIN_CONNS:-32}
LOGIN_USERS=${LOGIN_USERS:-32}
ME_CONNS=${ME_CONNS:-4}
KEEP=${KEEP:-0}
read -r -a SERVER_ENV <<<"${SERVER_ENV:-}"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "load.sh: $*" >&2; exit 2; }

for tool in go curl wrk; do
	if ! command -v "$tool" >/dev/null; then
		case $tool in
		wrk) die "wrk is not installed; on Debian, as root: apt-get install -y wrk" ;;
		*) die "$tool is not installed" ;;
		esac
	fi
done
secs() { # 10s, 1m, 500ms or 10 -> seconds (may be fractional)
	local v=$1
	case $v in
	*ms) awk -v n="${v%ms}" 'BEGIN { print n / 1000 }' ;;
	*s) echo "${v%s}" ;;
	*m) awk -v n="${v%m}" 'BEGIN { print n * 60 }' ;;
	*h) awk -v n="${v%h}" 'BEGIN { print n * 3600 }' ;;
	*) echo "$v" ;;
	esac
}
[[ $(secs "$DURATION") =~ ^[0-9.]+$ ]] || die "DURATION=$DURATION: expected a duration such as 10s"
for n in ROUNDS CONNS THREADS LOGIN_CONNS LOGIN_USERS ME_CONNS; do
	[[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n=${!n}: expected a positive integer"
done
# wrk takes whole seconds; each round gets DURATION/ROUNDS of them, rounded down.
slice=$(awk -v d="$(secs "$DURATION")" -v n="$ROUNDS" 'BEGIN { printf "%d", d / n }')
((slice >= 1)) || die "DURATION=$DURATION is less than ROUNDS=$ROUNDS seconds: each round needs at least 1s"
slice=${slice}s
for kv in "${SERVER_ENV[@]}"; do
	[[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "SERVER_ENV: '$kv' is not VAR=value"
done
((THREADS <= CONNS && THREADS <= LOGIN_CONNS)) || die "THREADS must not exceed CONNS or LOGIN_CONNS (wrk needs a connection per thread)"

# Forget the caller's FULLAUTH_* settings: the servers get exactly what is set below.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^FULLAUTH_' || true)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fullauth-load.XXXXXX")
PIDS=() SERVER_PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ $KEEP == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# cpu_busy prints how busy all cores were over 2 s, in percent: what else runs on the machine.
cpu_busy() {
	local a b c d e f g t1 i1
	read -r _ a b c d e f g _ </proc/stat
	t1=$((a + b + c + d + e + f + g)) i1=$((d + e))
	sleep 2
	read -r _ a b c d e f g _ </proc/stat
	echo $((100 - 100 * (d + e - i1) / (a + b + c + d + e + f + g - t1)))
}

echo "== fullauth load run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3-4), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min); CPU busy over 2 s before starting: $(cpu_busy)%"
# shellcheck disable=SC2016 # the quotes are printed
echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP CONNS=$CONNS THREADS=$THREADS LOGIN_CONNS=$LOGIN_CONNS LOGIN_USERS=$LOGIN_USERS ME_CONNS=$ME_CONNS${SERVER_ENV[*]:+ SERVER_ENV='${SERVER_ENV[*]}'}"

echo "building ..."
(cd "$ROOT" && go build -o "$TMP/fullauth" ./cmd/fullauth && go build -o "$TMP/bare" ./scripts/bare/main.go) ||
	die "build failed"

# free_port prints a port on 127.0.0.1 that nothing answers on now.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
LIMITS='{"login":1000000000,"register":1000000000,"refresh":1000000000}'

# start NAME PROBE_PATH CMD... : starts CMD (with {PORT} replaced) in $TMP, waits until
# PROBE_PATH answers 200; retries on another port if the first was taken meanwhile. Sets
# the variable URL_<NAME>.
start() {
	local name=$1 probe=$2 port pid args
	shift 2
	for _ in 1 2 3; do
		port=$(free_port)
		args=("${@//\{PORT\}/$port}")
		(cd "$TMP" && exec "${args[@]}") >"$TMP/$name.log" 2>&1 &
		pid=$!
		PIDS+=("$pid")
		for _ in $(seq 1 100); do # 10 s
			if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port$probe"; then
				printf -v "URL_$name" 'http://127.0.0.1:%s' "$port"
				printf -v "PID_$name" %s "$pid"
				SERVER_PIDS+=("$pid")
				return
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
	done
	cat "$TMP/$name.log" >&2
	die "$name server did not start"
}
serve() { # name, then extra VAR=value settings
	local name=$1
	shift
	start "$name" /readyz env FULLAUTH_SECRET_KEY="$SECRET" FULLAUTH_LOG_LEVEL=warn \
		FULLAUTH_AUTH_RATE_LIMITS="$LIMITS" "${SERVER_ENV[@]}" "$@" "$TMP/fullauth" serve --addr "127.0.0.1:{PORT}"
}

echo "starting servers ..."
start bare /bare "$TMP/bare" --addr "127.0.0.1:{PORT}"
serve memory FULLAUTH_DATABASE_URL=memory:
serve sqlite FULLAUTH_DATABASE_URL="sqlite:$TMP/bench.db"
serve sqlite0 FULLAUTH_DATABASE_URL="sqlite:$TMP/bench0.db" FULLAUTH_USER_CACHE_SECONDS=0
serve refresh FULLAUTH_DATABASE_URL=memory: FULLAUTH_REFRESH_TOKEN_ROTATION=false
echo "  bare $URL_bare, memory $URL_memory, sqlite $URL_sqlite, sqlite0 (cache off) $URL_sqlite0, refresh (memory, rotation off) $URL_refresh"
echo "  route limits raised on every fullauth server: FULLAUTH_AUTH_RATE_LIMITS=$LIMITS"

API=/api/v1/auth
PASSWORD=correct-horse-battery-staple
post() { # url body -> prints the answer; fails on non-2xx
	curl -fsS --max-time 30 -H 'Content-Type: application/json' -d "$2" "$1"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

echo "registering users and logging in ..."
for name in memory sqlite sqlite0 refresh; do
	url=URL_$name
	post "${!url}$API/register" "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\"}" >/dev/null ||
		die "register on $name failed"
	pair=$(post "${!url}$API/login" "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\"}") ||
		die "login on $name failed"
	printf -v "ACCESS_$name" %s "$(field access_token <<<"$pair")"
	printf -v "REFRESH_$name" %s "$(field refresh_token <<<"$pair")"
done
# The login users, registered 8 at a time (each registration hashes a password).
export URL_memory API PASSWORD
# shellcheck disable=SC2016 # expanded by sh -c
seq 0 $((LOGIN_USERS - 1)) | xargs -P 8 -I{} sh -c \
	'curl -fsS --max-time 60 -o /dev/null -H "Content-Type: application/json" -d "{\"email\":\"login{}@example.com\",\"password\":\"$PASSWORD\"}" "$URL_memory$API/register"' ||
	die "registering the login users failed"
for name in memory sqlite sqlite0; do
	url=URL_$name tok=ACCESS_$name
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${!tok}" "${!url}$API/me")
	[[ $code == 200 ]] || die "GET /me on $name answered $code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "{\"refresh_token\":\"$REFRESH_refresh\"}" "$URL_refresh$API/refresh")
[[ $code == 200 ]] || die "POST /refresh answered $code"

# wrk scripts. Each prints one machine-readable RESULT line when done.
cat >"$TMP/done.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d sockerr=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
lua() { # name, then Lua lines
	local name=$1
	shift
	{ printf '%s\n' "$@"; cat "$TMP/done.lua"; } >"$TMP/$name.lua"
}
lua bare ''
lua bare_token "wrk.headers[\"Authorization\"] = \"Bearer $ACCESS_memory\""
lua me_memory "wrk.headers[\"Authorization\"] = \"Bearer $ACCESS_memory\""
lua me_sqlite "wrk.headers[\"Authorization\"] = \"Bearer $ACCESS_sqlite\""
lua me_sqlite0 "wrk.headers[\"Authorization\"] = \"Bearer $ACCESS_sqlite0\""
lua refresh 'wrk.method = "POST"' 'wrk.headers["Content-Type"] = "application/json"' \
	"wrk.body = '{\"refresh_token\":\"$REFRESH_refresh\"}'"
# Thread t of n cycles through users t, t+n, t+2n, ... so that concurrent requests are
# (nearly always) for different users.
lua login 'wrk.method = "POST"' 'wrk.headers["Content-Type"] = "application/json"' \
	"local users, nthreads, password = $LOGIN_USERS, $THREADS, \"$PASSWORD\"" \
	'local counter = 0' \
	'setup = function(thread) thread:set("id", counter); counter = counter + 1 end' \
	'init = function(args) next_user = id end' \
	'request = function()' \
	'  local u = next_user % users' \
	'  next_user = next_user + nthreads' \
	'  return wrk.format(nil, nil, nil, string.format("{\"email\":\"login%d@example.com\",\"password\":\"%s\"}", u, password))' \
	'end'

# CPU accounting, in clock ticks, to tell what the machine did meanwhile:
# snap SERVER prints: the server's CPU, the CPU of every process of this run (the servers,
# and wrk and the other children this shell has waited for), the machine's busy and total.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
snap() {
	local srv=PID_$1 ours=0 pid
	for pid in "${SERVER_PIDS[@]}"; do ours=$((ours + $(ticks "$pid"))); done
	ours=$((ours + $(awk '{ print $16 + $17 }' /proc/$$/stat)))
	echo "$(ticks "${!srv}") $ours $(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
}
# account NAME "SNAP_BEFORE" "SNAP_AFTER" -> $TMP/NAME.cpu: "server_ticks other_percent"
account() {
	echo "$2 $3" | awk '{ o = ($7 - $3 - ($6 - $2)) * 100 / ($8 - $4); printf "%d %.0f\n", $5 - $1, o < 0 ? 0 : o }' >"$TMP/$1.cpu"
}
# run NAME SERVER URL SCRIPT CONNS THREADS DURATION -> $TMP/NAME.out, $TMP/NAME.cpu
run() {
	local name=$1 server=$2 url=$3 script=$4 conns=$5 threads=$6 dur=$7 before w
	before=$(snap "$server")
	# In the background, so that a signal is handled at once rather than when wrk ends.
	wrk -t"$threads" -c"$conns" -d"$dur" --latency --timeout 30s -s "$TMP/$script.lua" "$url" >"$TMP/$name.out" 2>&1 &
	w=$!
	PIDS+=("$w")
	wait "$w" || { cat "$TMP/$name.out" >&2; die "wrk failed in $name"; }
	account "$name" "$before" "$(snap "$server")"
}
warmup() { # server url script
	[[ $(secs "$WARMUP") == 0 ]] || run warmup "$1" "$2" "$3" "$CONNS" "$THREADS" "$WARMUP"
}
logmark() { wc -l <"$TMP/$1.log"; }
MARK_memory=$(logmark memory) MARK_sqlite=$(logmark sqlite) MARK_sqlite0=$(logmark sqlite0) MARK_refresh=$(logmark refresh)

# merge NAME: sums the rounds NAME.r1 ... NAME.rROUNDS into NAME.out and NAME.cpu, with
# req/s over all rounds, the median round p50, the highest round p99 and the mean "other".
merge() {
	local name=$1 r p50
	for r in $(seq 1 "$ROUNDS"); do sed -n 's/^RESULT //p' "$TMP/$name.r$r.out"; done >"$TMP/$name.rounds"
	p50=$(grep -o 'p50_us=[0-9]*' "$TMP/$name.rounds" | cut -d= -f2 | sort -n | sed -n "$(((ROUNDS + 1) / 2))p")
	awk -v p50="$p50" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  n += v["requests"]; us += v["duration_us"]; bad += v["non2xx"]; sock += v["sockerr"]
		  if (v["p99_us"] + 0 > p99 + 0) p99 = v["p99_us"] + 0 }
		END { printf "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d sockerr=%d\n", n, us, p50, p99, bad, sock }
	' "$TMP/$name.rounds" >"$TMP/$name.out"
	cat "$TMP/$name".r*.cpu | awk '{ t += $1; o += $2 } END { printf "%d %.0f\n", t, o / NR }' >"$TMP/$name.cpu"
}
echo "running: 6 scenarios interleaved in $ROUNDS rounds of $slice each, then /login and /me during logins ..."
warmup bare "$URL_bare/bare" bare
warmup memory "$URL_memory$API/me" me_memory
warmup sqlite "$URL_sqlite$API/me" me_sqlite
warmup sqlite0 "$URL_sqlite0$API/me" me_sqlite0
warmup refresh "$URL_refresh$API/refresh" refresh
for r in $(seq 1 "$ROUNDS"); do
	run bare.r$r bare "$URL_bare/bare" bare "$CONNS" "$THREADS" "$slice"
	run bare_token.r$r bare "$URL_bare/bare" bare_token "$CONNS" "$THREADS" "$slice"
	run me_memory.r$r memory "$URL_memory$API/me" me_memory "$CONNS" "$THREADS" "$slice"
	run me_sqlite.r$r sqlite "$URL_sqlite$API/me" me_sqlite "$CONNS" "$THREADS" "$slice"
	run me_sqlite0.r$r sqlite0 "$URL_sqlite0$API/me" me_sqlite0 "$CONNS" "$THREADS" "$slice"
	run refresh.r$r refresh "$URL_refresh$API/refresh" refresh "$CONNS" "$THREADS" "$slice"
done
for name in bare bare_token me_memory me_sqlite me_sqlite0 refresh; do merge "$name"; done
run login memory "$URL_memory$API/login" login "$LOGIN_CONNS" "$THREADS" "$DURATION"
# (6): logins for 2 s longer than the measurement, which starts 1 s into them. The server's
# CPU is shared by both loads, so (6) reports no server CPU per request.
bg_dur=$(awk -v d="$(secs "$DURATION")" 'BEGIN { print d + 2 }')s
before=$(snap memory)
wrk -t"$THREADS" -c"$LOGIN_CONNS" -d"$bg_dur" --latency --timeout 30s -s "$TMP/login.lua" \
	"$URL_memory$API/login" >"$TMP/login_bg.out" 2>&1 &
bg=$!
PIDS+=("$bg")
sleep 1
run me_during_login memory "$URL_memory$API/me" me_memory "$ME_CONNS" 1 "$DURATION"
wait "$bg" || die "background login load failed"
account login_bg "$before" "$(snap memory)"
cp "$TMP/login_bg.cpu" "$TMP/me_during_login.cpu"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# result NAME FIELD
result() { sed -n 's/^RESULT //p' "$TMP/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
rps() { awk -v n="$(result "$1" requests)" -v us="$(result "$1" duration_us)" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
ms() { awk -v us="$(result "$1" "$2")" 'BEGIN { printf "%.2f", us / 1000 }'; }

BARE=$(rps bare)
HZ=$(getconf CLK_TCK)
failed=0
printf '\n%-44s %7s %9s %9s %7s %7s %6s %-15s %s\n' scenario req/s p50-ms p99-ms vs-bare srv-us other target result
row() { # name label target-kind target-value
	local name=$1 label=$2 kind=$3 want=$4 r ratio verdict target errs sticks other srv
	r=$(rps "$name")
	ratio=$(awk -v r="$r" -v b="$BARE" 'BEGIN { printf (r / b < 0.01 ? "%.4f" : "%.2f"), r / b }')
	verdict=- target=-
	case $kind in
	ratio)
		target=">= $want x bare"
		verdict=$(awk -v x="$ratio" -v w="$want" 'BEGIN { print (x >= w) ? "PASS" : "FAIL" }') ;;
	p99)
		target="p99 < $want ms"
		verdict=$(awk -v us="$(result "$name" p99_us)" -v w="$want" 'BEGIN { print (us < w * 1000) ? "PASS" : "FAIL" }') ;;
	esac
	errs=$(($(result "$name" non2xx) + $(result "$name" sockerr)))
	if ((errs > 0)); then
		verdict="FAIL ($(result "$name" non2xx) non-2xx, $(result "$name" sockerr) socket errors)"
	fi
	[[ $verdict != FAIL* ]] || failed=1
	read -r sticks other <"$TMP/$name.cpu"
	srv=$(awk -v t="$sticks" -v n="$(result "$name" requests)" -v hz="$HZ" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
	[[ $name != me_during_login && $name != login_bg ]] || srv=-
	printf '%-44s %7s %9s %9s %7s %7s %5s%% %-15s %s\n' "$label" "$r" "$(ms "$name" p50_us)" "$(ms "$name" p99_us)" \
		"$ratio" "$srv" "$other" "$target" "$verdict"
}
row bare "(1) GET /bare (bare handler)" - -
row bare_token "(1b) GET /bare, with (2)'s bearer header" - -
row me_memory "(2) GET /me, memory store" ratio 0.8
row me_sqlite "(3) GET /me, SQLite" ratio 0.6
row me_sqlite0 "(3b) GET /me, SQLite, user cache off" - -
row refresh "(4) POST /refresh (rotation off), memory" - -
row login "(5) POST /login (argon2id), memory" - -
row me_during_login "(6) GET /me, memory, during $LOGIN_CONNS logins ($ME_CONNS c)" p99 20
row login_bg "    the logins running during (6)" - -
# spread NAME: the lowest and highest of NAME's per-round ratios to (1) in the same round.
spread() {
	paste -d' ' "$TMP/bare.rounds" "$TMP/$1.rounds" | awk '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1], i <= NF / 2] = kv[2] }
		  r = (v["requests", 0] / v["duration_us", 0]) / (v["requests", 1] / v["duration_us", 1])
		  if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
		END { printf "%.2f-%.2f", lo, hi }'
}
echo
echo "per-round ratios to (1) of the same round: (1b) $(spread bare_token), (2) $(spread me_memory), (3) $(spread me_sqlite)," \
	"(3b) $(spread me_sqlite0), (4) $(spread refresh)"
echo "srv-us: the server's CPU time (user + system) per request. other: CPU used meanwhile by processes"
echo "outside this run (and stolen by the hypervisor), in % of the machine; above a few % that row is disturbed."
echo "connections: $CONNS for (1)-(4), $LOGIN_CONNS for logins, $ME_CONNS for (6); wrk threads $THREADS ((6): 1); each $DURATION,"
echo "(1)-(4) in $ROUNDS interleaved rounds of $slice: p50 is the median round's, p99 the worst round's."
echo "route rate limits were raised (FULLAUTH_AUTH_RATE_LIMITS=$LIMITS) so that the load is not throttled."
echo "(4) runs with FULLAUTH_REFRESH_TOKEN_ROTATION=false: one refresh token re-presented; the rotation write is not measured."
for name in memory sqlite sqlite0 refresh; do
	mark=MARK_$name
	n=$(($(logmark "$name") - ${!mark}))
	c=$(tail -n +"$((${!mark} + 1))" "$TMP/$name.log" | grep -c 'context canceled' || true)
	((n == 0)) || echo "note: the $name server logged $n lines at WARN or above during the load, $c of them" \
		"'context canceled' (requests in flight when wrk closed its connections); KEEP=1 keeps the logs"
done
exit "$failed"
