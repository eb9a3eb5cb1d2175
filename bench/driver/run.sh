#!/usr/bin/env bash
# TAP driver benchmark: the C baseline (tapbench.c) against the Java driver (TapBench.java), same TAP,
# same run. Needs root, gcc, iproute2 and a JDK 17. See bench/README.md.
#
#   bench/driver/run.sh                      1,000,000 64-byte frames written; reads for 3 s after 1 s warm-up
#   COUNT=2000000 SIZE=512 READ_SECONDS=5 REPEAT=5 bench/driver/run.sh
set -euo pipefail

COUNT=${COUNT:-1000000}
SIZE=${SIZE:-64}
WARMUP=${WARMUP:-1}
READ_SECONDS=${READ_SECONDS:-3}
REPEAT=${REPEAT:-3}

cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "run.sh needs root: it creates a TAP and a network namespace" >&2
    exit 1
fi

SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
TAP="ub$SUFFIX"
NS="ustack-bench-$SUFFIX"
WORK=$(mktemp -d)
FLOOD_PID=""
READER_PID=""

cleanup() {
    for pid in $READER_PID $FLOOD_PID; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    ip netns exec "$NS" ip link del "$TAP" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building tapbench (gcc) and the driver (maven)..." >&2
gcc -O2 -Wall -o "$WORK/tapbench" bench/driver/tapbench.c
./mvnw -B -o -q package -DskipTests -pl stack-core,stack-driver-tap \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -DincludeScope=runtime
CP="$(ls stack-driver-tap/target/stack-driver-tap-*.jar | grep -v -- '-tests' | head -1):$(cat stack-driver-tap/target/bench.classpath)"
# compile once, so a run does not include javac
javac -d "$WORK/classes" -cp "$CP" bench/driver/TapBench.java

# Everything runs inside the namespace: TUNSETIFF looks the name up in the caller's namespace.
# A persistent TAP, so that the C and the Java program can attach to it one after the other; its host side
# is up with no address and no IPv6, so frames written to it are dropped cheaply by the kernel (unknown
# EtherType, foreign MAC).
ip netns add "$NS"
NSX=(ip netns exec "$NS")
"${NSX[@]}" ip tuntap add dev "$TAP" mode tap
"${NSX[@]}" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1"
"${NSX[@]}" ip link set "$TAP" up
"${NSX[@]}" ip link set lo up

C=("${NSX[@]}" "$WORK/tapbench")
J=("${NSX[@]}" java -cp "$WORK/classes:$CP" io.ustack.driver.tap.TapBench)

fps() { sed -n 's/^fps=//p' "$1"; }
cpu() { sed -n 's/^cpu=//p' "$1"; }
stat_of() { "${NSX[@]}" cat "/sys/class/net/$TAP/statistics/$1"; }

# write: COUNT frames of SIZE bytes, best of REPEAT. $1 is the mode (write, xmit), the rest the program.
best_write() {
    local mode=$1 best=0 out="$WORK/w.out" f
    shift
    for _ in $(seq "$REPEAT"); do
        timeout 120 "$@" "$mode" "$TAP" "$COUNT" "$SIZE" > "$out"
        f=$(fps "$out")
        [ "$f" -gt "$best" ] && best=$f
    done
    echo "$best"
}

# read: start the reader, wait until it has attached (the TAP gets carrier), then flood the TAP from its host
# side for the reader's warm-up and measuring time; the reader drains until the flood stops. Prints
# "reader_fps reader_cpus flood_fps ring_drops", the run with the best reader_fps of REPEAT.
best_read() {
    local best="0 0 0 0" out="$WORK/r.out" flood="$WORK/f.out" f d0 d1
    for _ in $(seq "$REPEAT"); do
        timeout 120 "$@" read "$TAP" "$WARMUP" "$READ_SECONDS" > "$out" &
        READER_PID=$!
        for _ in $(seq 300); do
            [ "$("${NSX[@]}" cat "/sys/class/net/$TAP/carrier" 2>/dev/null)" = 1 ] && break
            sleep 0.05
        done
        d0=$(stat_of tx_dropped)
        timeout 120 "${C[@]}" flood "$TAP" "$(awk "BEGIN { print $WARMUP + $READ_SECONDS + 1 }")" "$SIZE" > "$flood" &
        FLOOD_PID=$!
        wait "$READER_PID"; READER_PID=""
        wait "$FLOOD_PID"; FLOOD_PID=""
        d1=$(stat_of tx_dropped)
        f=$(fps "$out")
        [ "$f" -gt "${best%% *}" ] && best="$f $(cpu "$out") $(fps "$flood") $((d1 - d0))"
    done
    echo "$best"
}

echo "TAP $TAP in namespace $NS, $SIZE-byte frames, best of $REPEAT runs, $(nproc) CPUs" >&2
CW=$(best_write write "${C[@]}")
JW=$(best_write write "${J[@]}")
JX=$(best_write xmit "${J[@]}")
read -r CR CC CF CD <<< "$(best_read "${C[@]}")"
read -r JR JC JF JD <<< "$(best_read "${J[@]}")"
CE=$(awk "BEGIN { printf \"%.0f\", $CR / $CC }")
JE=$(awk "BEGIN { printf \"%.0f\", $JR / $JC }")

ratio() { awk "BEGIN { printf \"%.2f\", $2 / $1 }"; }
row() { printf '%-34s %12s %12s %7s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
printf '\n%-34s %12s %12s %7s\n' "frames per second" "C" "Java" "ratio"
row "write (Java: dev_queue_xmit)" "$CW" "$JW"
row "write (Java: ndo_start_xmit only)" "$CW" "$JX"
row "read, delivered" "$CR" "$JR"
row "read, per CPU-second of reader" "$CE" "$JE"
printf '\nwrite: %s frames of %s bytes per run; C is write(2) in a loop.\n' "$COUNT" "$SIZE"
printf 'read: a C AF_PACKET flood from the host side got %s fps (C run) and %s fps (Java run) into the TAP,\n' "$CF" "$JF"
printf 'which dropped %s (C run) and %s (Java run) more for a full ring: a reader that fell behind.\n' "$CD" "$JD"
printf 'With no drops the flood set the pace; "per CPU-second" (the readers kept %s and %s CPUs busy)\n' "$CC" "$JC"
printf 'compares what reading a frame costs either way.\n'
