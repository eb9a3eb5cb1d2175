/*
 * tapbench: the C baseline for the TAP driver benchmark.
 *
 *   tapbench write NAME COUNT SIZE     attach to TAP NAME, write COUNT frames of SIZE bytes, print fps
 *   tapbench read  NAME WARMUP SECONDS attach to TAP NAME, read frames (blocking read(2)), count them for
 *                                      SECONDS after WARMUP seconds from the first frame, print fps and
 *                                      the CPU this process used meanwhile; then drain until the flood
 *                                      stops, so the TAP drops nothing for want of a reader
 *   tapbench flood IFNAME SECONDS SIZE send frames of SIZE bytes out of interface IFNAME (the TAP's host
 *                                      side) through an AF_PACKET socket, batches of 64 with sendmmsg,
 *                                      for SECONDS; print frames/s sent
 *
 * Output is "fps=<number>" (and "cpu=<CPUs busy>" for read) on stdout, for run.sh to pick up.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* Same flags as the Java driver with one queue: IFF_TAP | IFF_NO_PI. */
static int tap_attach(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) die("open /dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF");
    return fd;
}

/* An Ethernet frame to a MAC nobody has, with an EtherType nobody handles: the kernel drops it cheaply. */
static void make_frame(unsigned char *f, int size) {
    static const unsigned char hdr[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    memset(f, 0, size);
    memcpy(f, hdr, 12);
    f[12] = ETH_P_802_EX1 >> 8;
    f[13] = ETH_P_802_EX1 & 0xff;
}

static int do_write(const char *name, long count, int size) {
    int fd = tap_attach(name);
    unsigned char frame[2048];
    make_frame(frame, size);
    double t0 = now();
    for (long i = 0; i < count; i++) {
        if (write(fd, frame, size) != size) die("write");
    }
    double t = now() - t0;
    printf("fps=%.0f\n", count / t);
    return 0;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int do_read(const char *name, double warmup, double seconds) {
    int fd = tap_attach(name);
    unsigned char buf[2048];
    if (read(fd, buf, sizeof buf) < 0) die("read");
    double start = now() + warmup, end = start + seconds, t0 = 0, cpu0 = 0;
    long n = 0;
    int counting = 0;
    for (;;) {
        if (read(fd, buf, sizeof buf) < 0) die("read");
        /* reading the clock per frame costs ~20 ns (vDSO); check it every 64 frames */
        if ((++n & 63) == 0) {
            double t = now();
            if (!counting && t >= start) {
                counting = 1;
                n = 0;
                t0 = t;
                cpu0 = cpu_seconds();
            } else if (counting && t >= end) {
                break;
            }
        }
    }
    double elapsed = now() - t0, cpu = cpu_seconds() - cpu0;
    printf("fps=%.0f\ncpu=%.3f\n", n / elapsed, cpu / elapsed);
    fflush(stdout);
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, 300) > 0) {
        if (read(fd, buf, sizeof buf) < 0) die("read");
    }
    return 0;
}

static int do_flood(const char *ifname, double seconds, int size) {
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: send only, receive nothing */
    if (s < 0) die("socket AF_PACKET");
    int one = 1;
    /* PACKET_QDISC_BYPASS: straight to the TAP's ndo_start_xmit, as fast as the kernel can hand frames over */
    setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = if_nametoindex(ifname);
    sll.sll_protocol = htons(ETH_P_802_EX1);
    if (sll.sll_ifindex == 0) die("if_nametoindex");
    if (bind(s, (struct sockaddr *) &sll, sizeof sll) < 0) die("bind");
    unsigned char frame[2048];
    make_frame(frame, size);
    struct iovec iov = {frame, (size_t) size};
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    double t0 = now(), end = t0 + seconds;
    long sent = 0;
    while (now() < end) {
        int r = sendmmsg(s, msgs, BATCH, 0);
        if (r < 0) {
            if (errno == ENOBUFS || errno == EAGAIN) continue;
            die("sendmmsg");
        }
        sent += r;
    }
    printf("fps=%.0f\n", sent / (now() - t0));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "write") == 0) return do_write(argv[2], atol(argv[3]), atoi(argv[4]));
    if (argc == 5 && strcmp(argv[1], "read") == 0) return do_read(argv[2], atof(argv[3]), atof(argv[4]));
    if (argc == 5 && strcmp(argv[1], "flood") == 0) return do_flood(argv[2], atof(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: tapbench write NAME COUNT SIZE | read NAME WARMUP SECONDS | flood IFNAME SECONDS SIZE\n");
    return 2;
}
