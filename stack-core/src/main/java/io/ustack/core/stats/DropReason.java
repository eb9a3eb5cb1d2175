package io.ustack.core.stats;

/**
 * Why a packet was discarded: the kernel's {@code enum skb_drop_reason} (SKB_DROP_REASON_*), with the
 * names kept so `perf trace -e skb:kfree_skb` vocabulary carries over.
 */
public enum DropReason {
    NOT_SPECIFIED,
    /** eth_type_trans: a frame shorter than an Ethernet header. */
    PKT_TOO_SMALL,
    /** A frame addressed to another host's MAC (PACKET_OTHERHOST). */
    OTHERHOST,
    /** No handler for the frame's EtherType. */
    UNHANDLED_PROTO,
    /** The per-thread input queue (netdev_max_backlog) was full. */
    CPU_BACKLOG,
    /**
     * A connection request (a bare TCP SYN) refused because the per-thread input queue was over half full,
     * so that a SYN flood cannot crowd out the segments of established connections. ustack's own: the
     * kernel's backlog has no such lane (its nearest is skb_flow_limit, which sheds the heaviest flows).
     */
    CPU_BACKLOG_SYN,
    /** ip_rcv: bad version, IHL or options. */
    IP_INHDR,
    /** ip_rcv: header checksum wrong. */
    IP_CSUM,
    /** ip_rcv: the frame holds fewer bytes than the header's total length (IpExtInTruncatedPkts). */
    IP_TRUNCATED,
    /** A packet for an address this host does not have, while forwarding is off. */
    IP_INADDRERRORS,
    /** A martian source address: multicast, broadcast, 0.0.0.0/8, or loopback from the wire. */
    IP_INVALID_SOURCE,
    /**
     * A packet from the wire claiming one of this host's own addresses as its source (fib_validate_source
     * without accept_local): a LAND attack or a looped frame, never a real peer.
     */
    IP_LOCAL_SOURCE,
    /** A martian destination address: 0.0.0.0/8, class E, or loopback from the wire. */
    IP_INVALID_DEST,
    /** No route for an incoming packet. */
    IP_INNOROUTES,
    /** A packet for another host arrived while forwarding is off. */
    IP_FORWARDING_DISABLED,
    /** No route for an outgoing packet. */
    IP_OUTNOROUTES,
    /** A blackhole route or rule (dst_discard): dropped without a word. */
    IP_ROUTE_BLACKHOLE,
    /** An unreachable route or rule (RTN_UNREACHABLE, EHOSTUNREACH). */
    IP_ROUTE_UNREACHABLE,
    /** A prohibit route or rule (RTN_PROHIBIT, EACCES). */
    IP_ROUTE_PROHIBIT,
    /** ip_local_deliver: no handler for the IP protocol number. */
    IP_NOPROTO,
    /** ip_frag: reassembly timed out. */
    FRAG_REASM_TIMEOUT,
    /** ip_frag: the fragment queue could not be kept (memory threshold, bad offsets, inconsistent length). */
    FRAG_REASM_FAIL,
    /** ip_frag: a fragment overlapping another with different bounds; the whole datagram is discarded. */
    FRAG_OVERLAP,
    /** ip_frag: a fragment that only repeats bytes already held. */
    DUP_FRAG,
    /** ip_fragment: DF set and the packet is over the MTU. */
    PKT_TOO_BIG,
    /** A netfilter hook returned NF_DROP (or NF_QUEUE with no queue handler). */
    NETFILTER_DROP,
    /** ARP packet that fails arp_rcv's checks. */
    ARP_INVALID,
    /** The neighbour never answered: NUD_FAILED. */
    NEIGH_FAILED,
    /** The neighbour's queue of packets waiting for resolution was full. */
    NEIGH_QUEUEFULL,
    /** The device queue (qdisc) was full. */
    QDISC_DROP,
    /**
     * The qdisc refused a frame it sheds first when congested: a SYN-ACK once the queue is over half of
     * txqueuelen, so that the answers to a SYN flood leave room for everything else.
     */
    QDISC_CONGESTED,
    /** The device is down or has gone away. */
    DEV_READY,
    /** The driver could not put the frame on the wire (a write error). */
    DEV_TX_ERROR,
    /**
     * skb_checksum_help could not finish a partial checksum: its start or field lies outside the packet,
     * or the packet is a super-packet, whose checksum only its segments can have.
     */
    SKB_CSUM,
    /**
     * skb_gso_segment refused a super-packet that lies about itself: no gso_size, a gso_type that is not the
     * IPv4 and TCP or UDP headers it carries, header offsets or lengths past the data, fragment bits, a
     * partial checksum that is not the transport header's, or more UDP segments than UDP_MAX_SEGMENTS.
     */
    SKB_GSO_SEG,
    /** ICMP message that fails icmp_rcv's checks (length, checksum). */
    ICMP_CSUM,
    /** ICMP message that is valid but not for us to act on (unknown type, broadcast echo ignored). */
    ICMP_IGNORED,
    /** A frame larger than the device MTU on receive, or a driver read error. */
    DEV_HDR,
    /** No socket for the packet (UDP/TCP). */
    NO_SOCKET,
    /** TCP: a header shorter than 20 bytes or longer than the packet. */
    TCP_HDR,
    /** TCP: the checksum is wrong. */
    TCP_CSUM,
    /** TCP: the listener's queues are full. */
    TCP_LISTEN_OVERFLOW,
    /** IP: a source-routed packet (LSRR, SSRR) while accept_source_route is off, as Linux has it by default. */
    IP_SOURCE_ROUTE,
    /** TCP: flags that a socket in its state takes no notice of (a listener's FIN, NULL, SYN+FIN). */
    TCP_FLAGS,
    /** TCP: an MD5 signature option (RFC 2385) where no key is configured. */
    TCP_MD5UNEXPECTED,
    /** UDP: the length field disagrees with the packet. */
    UDP_LEN,
    /** UDP: the checksum is wrong. */
    UDP_CSUM,
    /** The socket's receive queue is over its buffer (SO_RCVBUF). */
    SOCKET_RCVBUFF,
    /** The socket was closed with the packet still queued. */
    SOCKET_CLOSE,
    /** ndisc_rcv: an ND message whose hop limit is not 255, so it may have crossed a router (RFC 4861 7.1). */
    IPV6_NDISC_HOP_LIMIT,
    /** ndisc_rcv: an ND message whose ICMPv6 code is not 0. */
    IPV6_NDISC_BAD_CODE,
    /** ndisc_rcv: an ND message whose options are malformed (ndisc_parse_options failed). */
    IPV6_NDISC_BAD_OPTIONS,
    /** ndisc_recv_ns: a Neighbour Solicitation for an address that is not ours. */
    IPV6_NDISC_NS_OTHERHOST,
    /**
     * An ND message that breaks one of RFC 4861's other rules: shorter than its fixed part, a multicast target,
     * a DAD probe not sent to a solicited-node group or carrying a link-layer address, a multicast NS with no
     * source link-layer address from a neighbour we do not know, a solicited NA sent to a group, an NA for one
     * of this host's own addresses, a link-layer address option of the wrong length. ustack's own name: Linux drops these as
     * NOT_SPECIFIED after an ND_PRINTK.
     */
    IPV6_NDISC_INVALID,
    /**
     * A Neighbour Advertisement for an address with no neighbour entry: nobody asked (ndisc_recv_na finds no
     * neigh and ignores it). ustack's own name: Linux drops it as NOT_SPECIFIED.
     */
    IPV6_NDISC_NA_UNREQUESTED,
    /**
     * A packet to a multicast group this host has not joined on that interface (ip6_mc_input finds no
     * membership). ustack's own name: Linux discards it as NOT_SPECIFIED.
     */
    IPV6_MC_NOT_JOINED,
    /**
     * An IPv6 extension header that RFC 8200 refuses: a routing header of type 0 (RFC 5095) or any other this
     * host does not route by with segments left, or a first fragment without the whole header chain (RFC
     * 7112), answered by a parameter problem (Linux's SKB_DROP_REASON_IPV6_BAD_EXTHDR).
     */
    IPV6_BAD_EXTHDR,
    /**
     * A segment routing header (SRv6, RFC 8754; RPL, RFC 6554) while seg6_enabled and rpl_seg_enabled are off,
     * Linux's default, which drops it uncounted: ustack's own name.
     */
    IPV6_SEG6_DISABLED,
    /**
     * A Neighbour Solicitation for an address of ours still tentative (DAD running) or that failed DAD, other
     * than a DAD probe that settles it: RFC 4862 5.4.3 says to ignore it. ustack's own name; Linux lets it go
     * uncounted.
     */
    IPV6_ADDR_TENTATIVE,
    /** The stack is shutting down. */
    STACK_STOPPED
}
