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
    TcpExtTCPACKSkippedChallenge,
    // Arp (/proc/net/stat/arp_cache, named for nstat's style)
    ArpInRequests, ArpInReplies, ArpOutRequests, ArpOutReplies, ArpUnresolvedDiscards, ArpResFailed
}
