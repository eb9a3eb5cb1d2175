package io.ustack.core.stats;

/**
 * SNMP counters under the names that /proc/net/snmp and /proc/net/netstat give them, spelled as nstat
 * prints them (group prefix and field joined: {@code IpInReceives}, {@code IpExtInOctets}).
 */
public enum Mib {
    // Ip (RFC 4293 / /proc/net/snmp "Ip:")
    IpInReceives, IpInHdrErrors, IpInAddrErrors, IpForwDatagrams, IpInUnknownProtos, IpInDiscards,
    IpInDelivers, IpOutRequests, IpOutDiscards, IpOutNoRoutes, IpReasmTimeout, IpReasmReqds, IpReasmOKs,
    IpReasmFails, IpFragOKs, IpFragFails, IpFragCreates,
    // IpExt (/proc/net/netstat "IpExt:")
    IpExtInNoRoutes, IpExtInTruncatedPkts, IpExtInMcastPkts, IpExtOutMcastPkts, IpExtInBcastPkts,
    IpExtOutBcastPkts, IpExtInOctets, IpExtOutOctets, IpExtInCsumErrors, IpExtReasmOverlaps,
    // Icmp
    IcmpInMsgs, IcmpInErrors, IcmpInCsumErrors, IcmpInDestUnreachs, IcmpInTimeExcds, IcmpInParmProbs,
    IcmpInSrcQuenchs, IcmpInRedirects, IcmpInEchos, IcmpInEchoReps, IcmpInTimestamps, IcmpInTimestampReps,
    IcmpInAddrMasks, IcmpInAddrMaskReps, IcmpOutMsgs, IcmpOutErrors, IcmpOutRateLimitGlobal,
    IcmpOutRateLimitHost, IcmpOutDestUnreachs, IcmpOutTimeExcds, IcmpOutParmProbs, IcmpOutSrcQuenchs,
    IcmpOutRedirects, IcmpOutEchos, IcmpOutEchoReps, IcmpOutTimestamps, IcmpOutTimestampReps,
    IcmpOutAddrMasks, IcmpOutAddrMaskReps,
    // Udp
    UdpInDatagrams, UdpNoPorts, UdpInErrors, UdpOutDatagrams, UdpRcvbufErrors, UdpSndbufErrors,
    UdpInCsumErrors, UdpIgnoredMulti,
    // Tcp (TcpCurrEstab is a gauge, kept by the TCP layer)
    TcpActiveOpens, TcpPassiveOpens, TcpAttemptFails, TcpEstabResets, TcpInSegs, TcpOutSegs, TcpRetransSegs,
    TcpInErrs, TcpOutRsts, TcpInCsumErrors,
    // TcpExt
    TcpExtListenOverflows, TcpExtListenDrops, TcpExtTCPTimeouts, TcpExtSyncookiesSent, TcpExtSyncookiesRecv,
    TcpExtSyncookiesFailed, TcpExtTCPSackRecovery, TcpExtTCPRenoRecovery, TcpExtTCPFastRetrans,
    TcpExtTCPSackFailures, TcpExtTCPRenoFailures, TcpExtTCPSackRecoveryFail, TcpExtTCPRenoRecoveryFail,
    TcpExtTCPAbortOnTimeout, TcpExtTCPLossProbes, TcpExtTCPLostRetransmit, TcpExtTCPSACKDiscard, TcpExtTCPDSACKRecv,
    TcpExtTCPSACKReneging, TcpExtTCPKeepAlive, TcpExtPAWSEstabRejected, TcpExtTCPChallengeACK,
    TcpExtTCPSYNChallenge, TcpExtTCPACKSkippedSynRecv, TcpExtTCPACKSkippedPAWS, TcpExtTCPACKSkippedSeq,
    TcpExtTCPACKSkippedChallenge, TcpExtTCPDeliveredCE,
    // Arp (/proc/net/stat/arp_cache, named for nstat's style)
    ArpInRequests, ArpInReplies, ArpOutRequests, ArpOutReplies, ArpUnresolvedDiscards, ArpResFailed,
    // Ip6 (/proc/net/snmp6, whose names nstat prints as they are)
    Ip6InReceives, Ip6InHdrErrors, Ip6InTooBigErrors, Ip6InNoRoutes, Ip6InAddrErrors, Ip6InUnknownProtos,
    Ip6InTruncatedPkts, Ip6InDiscards, Ip6InDelivers, Ip6OutForwDatagrams, Ip6OutRequests, Ip6OutDiscards,
    Ip6OutNoRoutes, Ip6ReasmTimeout, Ip6ReasmReqds, Ip6ReasmOKs, Ip6ReasmFails, Ip6FragOKs, Ip6FragFails,
    Ip6FragCreates, Ip6InMcastPkts, Ip6OutMcastPkts, Ip6InOctets, Ip6OutOctets,
    /** IPSTATS_MIB_REASM_OVERLAPS of IPv6, which Linux counts but /proc/net/snmp6 does not show. */
    Ip6ReasmOverlaps,
    // Icmp6 (/proc/net/snmp6; the per-type Icmp6InType128... are MibCounters' own)
    Icmp6InMsgs, Icmp6InErrors, Icmp6OutMsgs, Icmp6OutErrors, Icmp6InCsumErrors, Icmp6InDestUnreachs,
    Icmp6InPktTooBigs, Icmp6InTimeExcds, Icmp6InParmProblems, Icmp6InEchos, Icmp6InEchoReplies,
    Icmp6InGroupMembQueries, Icmp6InGroupMembResponses, Icmp6InGroupMembReductions, Icmp6InRouterSolicits,
    Icmp6InRouterAdvertisements, Icmp6InNeighborSolicits, Icmp6InNeighborAdvertisements, Icmp6InRedirects,
    Icmp6InMLDv2Reports, Icmp6OutDestUnreachs, Icmp6OutPktTooBigs, Icmp6OutTimeExcds, Icmp6OutParmProblems,
    Icmp6OutEchos, Icmp6OutEchoReplies, Icmp6OutRouterSolicits, Icmp6OutRouterAdvertisements,
    Icmp6OutNeighborSolicits, Icmp6OutNeighborAdvertisements, Icmp6OutRedirects, Icmp6OutRateLimitHost,
    // Udp6 (/proc/net/snmp6)
    Udp6InDatagrams, Udp6NoPorts, Udp6InErrors, Udp6OutDatagrams, Udp6RcvbufErrors, Udp6InCsumErrors,
    // Ndisc (/proc/net/stat/ndisc_cache, named as the Arp ones are)
    NdiscUnresolvedDiscards, NdiscResFailed, NdiscRcvProbesMcast, NdiscRcvProbesUcast
}
