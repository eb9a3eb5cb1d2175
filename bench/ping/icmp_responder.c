/*
 * The floor for any userspace stack on a TAP: answers ARP for one address and ICMP echo requests,
 * nothing else, with one blocking read and one write per packet.
 *
 * usage: icmp_responder TAPNAME A.B.C.D
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static uint16_t csum(const uint8_t *p, int len) {
    uint32_t s = 0;
    for (int i = 0; i + 1 < len; i += 2) s += (p[i] << 8) | p[i + 1];
    if (len & 1) s += p[len - 1] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s TAP ADDRESS\n", argv[0]); return 2; }
    uint8_t mac[6] = {0x02, 0x00, 0x00, 0xc0, 0xff, 0xee};
    uint32_t addr;
    if (inet_pton(AF_INET, argv[2], &addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) { perror("open /dev/net/tun"); return 1; }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }
    printf("up\n");
    fflush(stdout);
    uint8_t f[65536];
    for (;;) {
        ssize_t n = read(fd, f, sizeof f);
        if (n < 14) continue;
        uint16_t type = (f[12] << 8) | f[13];
        if (type == 0x0806 && n >= 42 && f[21] == 1 && memcmp(f + 38, &addr, 4) == 0) {
            memcpy(f, f + 6, 6);            /* eth dst = requester */
            memcpy(f + 6, mac, 6);
            f[21] = 2;                      /* reply */
            memcpy(f + 32, f + 22, 10);     /* target = old sender */
            memcpy(f + 22, mac, 6);
            memcpy(f + 28, &addr, 4);
            write(fd, f, 42);
        } else if (type == 0x0800 && n >= 34 + 8) {
            int ihl = (f[14] & 15) * 4;
            int tot = (f[16] << 8) | f[17];
            uint8_t *icmp = f + 14 + ihl;
            if (f[23] != 1 || memcmp(f + 30, &addr, 4) != 0 || icmp[0] != 8 || 14 + tot > n) continue;
            uint8_t tmp[6];
            memcpy(tmp, f, 6); memcpy(f, f + 6, 6); memcpy(f + 6, tmp, 6);
            uint8_t a[4];
            memcpy(a, f + 26, 4); memcpy(f + 26, f + 30, 4); memcpy(f + 30, a, 4);
            f[22] = 64;
            f[24] = f[25] = 0;
            uint16_t c = csum(f + 14, ihl);
            f[24] = c >> 8; f[25] = c & 0xff;
            icmp[0] = 0;
            icmp[2] = icmp[3] = 0;
            c = csum(icmp, tot - ihl);
            icmp[2] = c >> 8; icmp[3] = c & 0xff;
            write(fd, f, 14 + tot);
        }
    }
}
