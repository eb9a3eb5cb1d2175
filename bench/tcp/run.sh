#!/usr/bin/env bash
# Single-flow TCP throughput at MTU 1500, measured with iperf3 both ways (host -> stack: iperf3 -c; stack ->
# host: iperf3 -c -R) against ustack's built-in iperf3 service on a TAP and against the kernel (iperf3 -s in
# a namespace, over veth), the same client in the same run, with the CPU seconds per GB each side used; the
# same with random loss on the client's side each way (iptables statistic, LOSS of the packets, default
# 0.01), where loss recovery decides the rate; then the heap ustack holds for 10,000 idle established
# connections. With FAMILY=6 every figure is TCP over IPv6 (ustack's and the kernel's, over the same veth
# setup), and ustack's IPv4 figures each way are measured in the same run beside them, IPv6's reference.
#
# usage: sudo [FAMILY=4|6] [LOSS=0.01] [LOSSY_SECONDS=5] [ROUNDS=2] bench/tcp/run.sh [SECONDS] [IDLE_CONNECTIONS]
#        (defaults 10 and 10000; each figure is the best of ROUNDS runs of iperf3 -t SECONDS)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
idle="${2:-10000}"
loss="${LOSS:-0.01}"
lsecs="${LOSSY_SECONDS:-5}"
rounds="${ROUNDS:-2}"
family="${FAMILY:-4}"
case "$family" in
  4) u_addr=10.208.1.2 h_addr=10.208.1.1/24 u_net=10.208.1.0/24 kc_addr=10.208.2.1/24 ks_addr=10.208.2.2/24
     k_net=10.208.2.0/24 metric="" iptables=iptables ;;
  # ip route replace gives an IPv6 route metric 1024 unless told: 256 is the connected route's, to be replaced
  6) u_addr=fd00:208:1::2 h_addr=fd00:208:1::1/64 u_net=fd00:208:1::/64 kc_addr=fd00:208:2::1/64
     ks_addr=fd00:208:2::2/64 k_net=fd00:208:2::/64 metric="metric 256" iptables=ip6tables ;;
  *) echo "FAMILY is 4 or 6, not $family" >&2; exit 2 ;;
esac
k_addr=${ks_addr%/*}
id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)))
out=bench/out/tcp-$id
mkdir -p "$out"
[ -f stack-cli/target/ustack.jar ] || ./mvnw -B -q -DskipTests -pl stack-cli -am package
hz=$(getconf CLK_TCK)

# Every process the bench starts is ended by pid on the way out, whether it finished, failed or was
# interrupted; then whatever still runs in the bench's own namespaces (ip netns pids) before they go.
pids=()
cleanup() {
  local p n
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for n in "ubt$id" "ubc$id" "ubs$id"; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
}
trap cleanup EXIT
# iperf3 catches Ctrl-C and exits normally, after which bash would carry on with the next step: stop instead
trap 'exit 130' INT
trap 'exit 143' TERM

# CPU seconds process $1 has used so far (utime + stime, all its threads)
cpu() { awk -v hz="$hz" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }
# every kernel in the run sends with CUBIC, as ustack does, whatever the host's default (BBR, say): set on
# the route, as a namespace may only choose among tcp_allowed_congestion_control
cubic() { ip -n "$1" route replace "$2" dev "$3" proto kernel scope link src "$4" $metric congctl cubic; }
# IPv6 on in namespace $1 (for FAMILY=6), for the devices it gets from now on, with no DAD to wait for
ipv6_on() {
  [ "$family" = 6 ] || return 0
  ip netns exec "$1" sh -c 'for c in all default; do sysctl -qw net.ipv6.conf.$c.disable_ipv6=0 net.ipv6.conf.$c.accept_dad=0; done'
}
# drops LOSS of the TCP packets entering and leaving namespace $1 while "${@:3}" runs. Netfilter sees a GSO
# packet as one, however many segments it carries, so the kernel's senders in the run ($2: NS/DEV ...)
# send one segment per packet meanwhile, as ustack does: a loss is then one segment on either side.
lossy() {
  local ns=$1 devs=$2 d; shift 2
  for d in $devs; do ip -n "${d%/*}" link set "${d#*/}" gso_max_segs 1; done
  for chain in INPUT OUTPUT; do
    ip netns exec "$ns" "$iptables" -A "$chain" -p tcp -m statistic --mode random --probability "$loss" -j DROP
  done
  "$@"
  ip netns exec "$ns" "$iptables" -F
  for d in $devs; do ip -n "${d%/*}" link set "${d#*/}" gso_max_segs 65535; done
}

# iperf3 from namespace $1 to $2 for $3 seconds (${@:5} more options: -R) with the server process $4;
# prints "Gbit/s client-CPU-s/GB server-CPU-s/GB" for the best of $rounds runs. The client's CPU is what
# iperf3 reports for itself (cpu_utilization_percent.host_total over the test), the server's is its
# process's utime + stime across the run; GB are those the receiver counted.
measure() {
  local ns=$1 addr=$2 t=$3 spid=$4 r json c0 c1 best="0 0 0" line; shift 4
  for r in $(seq "$rounds"); do
    json="$out/iperf3-$ns-$addr${1:-}-$t-$r.json"
    c0=$(cpu "$spid")
    ip netns exec "$ns" timeout --foreground $((t + 30)) iperf3 -J -c "$addr" -t "$t" --connect-timeout 5000 "$@" > "$json" || true
    c1=$(cpu "$spid")
    if jq -e '.error' "$json" >/dev/null 2>&1 || ! jq -e '.end.sum_received.bytes > 0' "$json" >/dev/null 2>&1; then
      echo "iperf3 -c $addr $* from $ns failed: $(jq -r '.error // "no report"' "$json" 2>/dev/null)" >&2
      return 1
    fi
    line=$(jq -r --arg s "$(echo "$c1 - $c0" | bc -l)" '.end as $e | ($e.sum_received.bytes / 1e9) as $gb |
      "\($e.sum_received.bits_per_second / 1e9) \($e.cpu_utilization_percent.host_total / 100 * $e.sum_received.seconds / $gb) \(($s | tonumber) / $gb)"' "$json")
    best=$(printf '%s\n%s\n' "$best" "$line" | sort -g -k1,1 | tail -1)
  done
  echo "$best"
}
fmt() { awk '{ printf "%8.2f %8.2f %8.2f", $1, $2, $3 }' <<<"$1"; }

# ustack on a TAP whose host side is in namespace ubt$id (with FAMILY=6 the TAP carries both families)
ip netns add "ubt$id"
ipv6_on "ubt$id"
java ${USTACK_BENCH_JAVA_OPTS:-} -jar stack-cli/target/ustack.jar daemon --control "$out/ustack.sock" \
  --iface "bt$id,addr=10.208.1.2/24$([ "$family" = 6 ] && echo ",addr=$u_addr/64")" --serve all > "$out/ustack.log" 2>&1 & upid=$!; pids+=($upid)
for _ in $(seq 300); do grep -q 'ustack: up:' "$out/ustack.log" 2>/dev/null && break; sleep 0.1; done
ip link set "bt$id" netns "ubt$id"
ip -n "ubt$id" addr add 10.208.1.1/24 dev "bt$id"; ip -n "ubt$id" link set "bt$id" up; ip -n "ubt$id" link set lo up
[ "$family" = 6 ] && ip -n "ubt$id" addr add "$h_addr" dev "bt$id" nodad
cubic "ubt$id" "$u_net" "bt$id" "${h_addr%/*}"
# the stack's IPv6 address takes packets once its DAD is over (a second or two)
for _ in $(seq 30); do ip netns exec "ubt$id" ping -c 1 -W 1 "$u_addr" >/dev/null 2>&1 && break; done
rounds=1 measure "ubt$id" "$u_addr" 3 "$upid" >/dev/null      # warm-up: the JIT compiles the path both ways
rounds=1 measure "ubt$id" "$u_addr" 3 "$upid" -R >/dev/null
u_send=$(measure "ubt$id" "$u_addr" "$secs" "$upid")
u_recv=$(measure "ubt$id" "$u_addr" "$secs" "$upid" -R)
if [ "$family" = 6 ]; then                                      # IPv6's reference: ustack over IPv4, same run
  metric="" cubic "ubt$id" 10.208.1.0/24 "bt$id" 10.208.1.1
  u4_send=$(measure "ubt$id" 10.208.1.2 "$secs" "$upid")
  u4_recv=$(measure "ubt$id" 10.208.1.2 "$secs" "$upid" -R)
fi
u_lsend=$(lossy "ubt$id" "ubt$id/bt$id" measure "ubt$id" "$u_addr" "$lsecs" "$upid")
u_lrecv=$(lossy "ubt$id" "ubt$id/bt$id" measure "ubt$id" "$u_addr" "$lsecs" "$upid" -R)
# the same daemon with every offload switched off (ethtool -K's way): one segment a frame, each with its
# finished checksum, each its own trip through the stack; on again afterwards
ulink() { java -jar stack-cli/target/ustack.jar link --control "$out/ustack.sock" set "bt$id" "$@" >/dev/null; }
ulink rx off tx off gso off gro off
u_send_off=$(measure "ubt$id" "$u_addr" "$secs" "$upid")
u_recv_off=$(measure "ubt$id" "$u_addr" "$secs" "$upid" -R)
ulink rx on tx on tso on tx-tcp6-segmentation on gso on gro on rx-gro-hw on

# the kernel: client namespace to server namespace over veth, iperf3 -s in the server's
ip netns add "ubc$id"; ip netns add "ubs$id"
ipv6_on "ubc$id"; ipv6_on "ubs$id"
ip link add "bc$id" netns "ubc$id" type veth peer name "bs$id" netns "ubs$id"
ip -n "ubc$id" addr add "$kc_addr" dev "bc$id"; ip -n "ubc$id" link set "bc$id" up
ip -n "ubs$id" addr add "$ks_addr" dev "bs$id"; ip -n "ubs$id" link set "bs$id" up
cubic "ubc$id" "$k_net" "bc$id" "${kc_addr%/*}"; cubic "ubs$id" "$k_net" "bs$id" "$k_addr"
ip netns exec "ubs$id" iperf3 -s > "$out/kernel-iperf3-s.log" 2>&1 & kpid=$!; pids+=($kpid)
for _ in $(seq 50); do ip netns exec "ubs$id" ss -ltn | grep -q ':5201 ' && break; sleep 0.1; done
k_send=$(measure "ubc$id" "$k_addr" "$secs" "$kpid")
k_recv=$(measure "ubc$id" "$k_addr" "$secs" "$kpid" -R)
k_lsend=$(lossy "ubc$id" "ubc$id/bc$id ubs$id/bs$id" measure "ubc$id" "$k_addr" "$lsecs" "$kpid")
k_lrecv=$(lossy "ubc$id" "ubc$id/bc$id ubs$id/bs$id" measure "ubc$id" "$k_addr" "$lsecs" "$kpid" -R)

# heap for idle connections: live heap after a full GC, before and with them open
heap() { jcmd "$upid" GC.run >/dev/null; jcmd "$upid" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }'; }
h0=$(heap)
mkfifo "$out/hold"
ip netns exec "ubt$id" python3 bench/tcp/idle_conns.py 10.208.1.2 7 "$idle" < "$out/hold" > "$out/idle.txt" & pids+=($!)
exec 3>"$out/hold"
for _ in $(seq 600); do grep -q open "$out/idle.txt" 2>/dev/null && break; sleep 0.1; done
h1=$(heap)
exec 3>&-

printf '\nsingle-flow TCP over IPv%s, iperf3 -t %s, MTU 1500, best of %s: Gbit/s, then CPU seconds per GB on the client and the server\n' "$family" "$secs" "$rounds"
printf '%-28s %26s   %26s\n' "" "ustack (built-in iperf3)" "kernel over veth (iperf3 -s)"
printf '%-28s %8s %8s %8s   %8s %8s %8s\n' direction Gbit/s client server Gbit/s client server
printf '%-28s %s   %s\n' "host -> stack (iperf3 -c)" "$(fmt "$u_send")" "$(fmt "$k_send")"
printf '%-28s %s   %s\n' "stack -> host (iperf3 -c -R)" "$(fmt "$u_recv")" "$(fmt "$k_recv")"
printf '%-28s %s\n' "host -> stack, offloads off" "$(fmt "$u_send_off")"
printf '%-28s %s\n' "stack -> host, offloads off" "$(fmt "$u_recv_off")"
printf 'ustack with offloads / kernel: host -> stack %.2f, stack -> host %.2f\n' \
  "$(echo "${u_send%% *} / ${k_send%% *}" | bc -l)" "$(echo "${u_recv%% *} / ${k_recv%% *}" | bc -l)"
if [ "$family" = 6 ]; then
  printf '%-28s %s\n' "host -> stack over IPv4" "$(fmt "$u4_send")"
  printf '%-28s %s\n' "stack -> host over IPv4" "$(fmt "$u4_recv")"
  printf 'ustack IPv6 / IPv4, same run (target: 0.90 or more): host -> stack %.2f, stack -> host %.2f\n' \
    "$(echo "${u_send%% *} / ${u4_send%% *}" | bc -l)" "$(echo "${u_recv%% *} / ${u4_recv%% *}" | bc -l)"
fi
printf '\nthe same with %s of the packets dropped each way, iperf3 -t %s (Gbit/s)\n' "$loss" "$lsecs"
printf '%-28s %10s %10s\n' direction ustack kernel
printf '%-28s %10.2f %10.2f\n' "host -> stack (iperf3 -c)" "${u_lsend%% *}" "${k_lsend%% *}"
printf '%-28s %10.2f %10.2f\n' "stack -> host (iperf3 -c -R)" "${u_lrecv%% *}" "${k_lrecv%% *}"
# the client is not what limits ustack's figures if it drives the kernel faster than ustack both ways
kmin=$(printf '%s\n%s\n' "${k_send%% *}" "${k_recv%% *}" | sort -g | head -1)
umax=$(printf '%s\n%s\n' "${u_send%% *}" "${u_recv%% *}" | sort -g | tail -1)
printf '\nthe client is not the bottleneck: its slower kernel direction, %.2f Gbit/s, is %s ustack'"'"'s faster one, %.2f\n' \
  "$kmin" "$(echo "$kmin > $umax" | bc -l | sed 's/1/above/; s/0/NOT above/')" "$umax"
printf '\nheap held by %s idle connections: %s -> %s (%s)\n' "$(cat "$out/idle.txt")" "$h0" "$h1" \
  "$(echo "$h0 $h1" | awk '{ a = $1; b = $2; sub(/K$/, "", a); sub(/K$/, "", b); printf "%.1f MB more", (b - a) / 1024 }')"
