#!/usr/bin/env bash
# Single-flow TCP throughput at MTU 1500, host->stack (into discard) and stack->host (from chargen), next to
# the kernel's TCP over veth measured with the same client in the same run; the same with random loss on
# the client's side each way (iptables statistic, LOSS of the packets, default 0.01), where loss recovery
# decides the rate; then the heap ustack holds for 10,000 idle established connections.
#
# usage: sudo [LOSS=0.01] [LOSSY_MB=200] bench/tcp/run.sh [MEGABYTES] [IDLE_CONNECTIONS]
#        (defaults 2000 and 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
mb="${1:-2000}"
idle="${2:-10000}"
loss="${LOSS:-0.01}"
lmb="${LOSSY_MB:-200}"
id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)))
out=bench/out/tcp-$id
mkdir -p "$out"
[ -f stack-cli/target/ustack.jar ] || ./mvnw -B -q -DskipTests -pl stack-cli -am package

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "ubt$id" "ubc$id" "ubs$id"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

# seconds a command takes, to the millisecond
timed() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
gbps() { echo "scale=2; ${2:-$mb} * 8 * 1048576 / $1 / 1000000000" | bc -l; }
send() { ip netns exec "$1" sh -c "dd if=/dev/zero bs=1M count=${3:-$mb} 2>/dev/null | nc -N $2 9"; }
recv() { ip netns exec "$1" sh -c "nc $2 19 | head -c $((${3:-$mb} * 1048576)) > /dev/null"; }
# every kernel in the run sends with CUBIC, as ustack does, whatever the host's default (BBR, say): set on
# the route, as a namespace may only choose among tcp_allowed_congestion_control
cubic() { ip -n "$1" route replace "$2" dev "$3" proto kernel scope link src "$4" congctl cubic; }
# drops LOSS of the TCP packets entering and leaving namespace $1 while "${@:3}" runs. Netfilter sees a GSO
# packet as one, however many segments it carries, so the kernel's senders in the run ($2: NS/DEV ...)
# send one segment per packet meanwhile, as ustack does: a loss is then one segment on either side.
lossy() {
  local ns=$1 devs=$2 d; shift 2
  for d in $devs; do ip -n "${d%/*}" link set "${d#*/}" gso_max_segs 1; done
  for chain in INPUT OUTPUT; do
    ip netns exec "$ns" iptables -A "$chain" -p tcp -m statistic --mode random --probability "$loss" -j DROP
  done
  "$@"
  ip netns exec "$ns" iptables -F
  for d in $devs; do ip -n "${d%/*}" link set "${d#*/}" gso_max_segs 65535; done
}
best() { local a b; a=$(timed "$@"); b=$(timed "$@"); echo "$a $b" | awk '{ print ($1 < $2) ? $1 : $2 }'; }

# ustack on a TAP whose host side is in namespace ubt$id
ip netns add "ubt$id"
java ${USTACK_BENCH_JAVA_OPTS:-} -jar stack-cli/target/ustack.jar daemon --control "$out/ustack.sock" \
  --iface "bt$id,addr=10.208.1.2/24" --serve all > "$out/ustack.log" 2>&1 & upid=$!; pids+=($upid)
for _ in $(seq 300); do grep -q 'ustack: up:' "$out/ustack.log" 2>/dev/null && break; sleep 0.1; done
ip link set "bt$id" netns "ubt$id"
ip -n "ubt$id" addr add 10.208.1.1/24 dev "bt$id"; ip -n "ubt$id" link set "bt$id" up; ip -n "ubt$id" link set lo up
cubic "ubt$id" 10.208.1.0/24 "bt$id" 10.208.1.1
send "ubt$id" 10.208.1.2; recv "ubt$id" 10.208.1.2   # warm-up: the JIT compiles the path
u_send=$(best send "ubt$id" 10.208.1.2)
u_recv=$(best recv "ubt$id" 10.208.1.2)
u_lsend=$(lossy "ubt$id" "ubt$id/bt$id" best send "ubt$id" 10.208.1.2 "$lmb")
u_lrecv=$(lossy "ubt$id" "ubt$id/bt$id" best recv "ubt$id" 10.208.1.2 "$lmb")

# the kernel: client namespace to server namespace over veth, nc as discard and as a source
ip netns add "ubc$id"; ip netns add "ubs$id"
ip link add "bc$id" netns "ubc$id" type veth peer name "bs$id" netns "ubs$id"
ip -n "ubc$id" addr add 10.208.2.1/24 dev "bc$id"; ip -n "ubc$id" link set "bc$id" up
ip -n "ubs$id" addr add 10.208.2.2/24 dev "bs$id"; ip -n "ubs$id" link set "bs$id" up
cubic "ubc$id" 10.208.2.0/24 "bc$id" 10.208.2.1; cubic "ubs$id" 10.208.2.0/24 "bs$id" 10.208.2.2
ip netns exec "ubs$id" sh -c 'while true; do nc -l -p 9 > /dev/null; done' & pids+=($!)
ip netns exec "ubs$id" sh -c 'while true; do nc -l -p 19 < /dev/zero; done' & pids+=($!)
sleep 0.5
k_send=$(best send "ubc$id" 10.208.2.2)
k_recv=$(best recv "ubc$id" 10.208.2.2)
k_lsend=$(lossy "ubc$id" "ubc$id/bc$id ubs$id/bs$id" best send "ubc$id" 10.208.2.2 "$lmb")
k_lrecv=$(lossy "ubc$id" "ubc$id/bc$id ubs$id/bs$id" best recv "ubc$id" 10.208.2.2 "$lmb")

# heap for idle connections: live heap after a full GC, before and with them open
heap() { jcmd "$upid" GC.run >/dev/null; jcmd "$upid" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }'; }
h0=$(heap)
mkfifo "$out/hold"
ip netns exec "ubt$id" python3 bench/tcp/idle_conns.py 10.208.1.2 7 "$idle" < "$out/hold" > "$out/idle.txt" & pids+=($!)
exec 3>"$out/hold"
for _ in $(seq 600); do grep -q open "$out/idle.txt" 2>/dev/null && break; sleep 0.1; done
h1=$(heap)
exec 3>&-

printf '\nsingle-flow TCP, %s MiB each way, MTU 1500, best of 2 (Gbit/s)\n' "$mb"
printf '%-34s %10s %10s\n' direction ustack kernel
printf '%-34s %10s %10s\n' "host -> stack (dd | nc to discard)" "$(gbps "$u_send")" "$(gbps "$k_send")"
printf '%-34s %10s %10s\n' "stack -> host (nc from chargen)" "$(gbps "$u_recv")" "$(gbps "$k_recv")"
printf '\nthe same with %s of the packets dropped each way, %s MiB, best of 2 (Gbit/s)\n' "$loss" "$lmb"
printf '%-34s %10s %10s\n' direction ustack kernel
printf '%-34s %10s %10s\n' "host -> stack (dd | nc to discard)" "$(gbps "$u_lsend" "$lmb")" "$(gbps "$k_lsend" "$lmb")"
printf '%-34s %10s %10s\n' "stack -> host (nc from chargen)" "$(gbps "$u_lrecv" "$lmb")" "$(gbps "$k_lrecv" "$lmb")"
printf '\nheap held by %s idle connections: %s -> %s (%s)\n' "$(cat "$out/idle.txt")" "$h0" "$h1" \
  "$(echo "$h0 $h1" | awk '{ a = $1; b = $2; sub(/K$/, "", a); sub(/K$/, "", b); printf "%.1f MB more", (b - a) / 1024 }')"
