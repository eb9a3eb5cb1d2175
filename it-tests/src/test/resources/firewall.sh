#!/bin/sh
# A router's firewall as people write it, one iptables command a line, applied by FirewallScriptIT through
# `ustack iptables`. LAN and WAN are the router's left and right interfaces, SERVER the host on the right.
set -eu
ustack() { "$JAVA" -jar "$JAR" --control "$CONTROL" "$@"; }

# a clean start
ustack iptables -F
ustack iptables -X
ustack iptables -t nat -F
ustack iptables -t mangle -F
ustack iptables -t raw -F

# the router itself
ustack iptables -A INPUT -i lo -j ACCEPT
ustack iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ustack iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
ustack iptables -A INPUT -p udp -m multiport --dports 67,68 -j ACCEPT
ustack iptables -A INPUT -m addrtype --dst-type BROADCAST -j DROP
ustack iptables -A INPUT -p tcp --dport 22 -j DROP

# forwarding: echo requests at 2 a second (each one, though ping's share a connection), then only what
# the chains below allow
ustack iptables -P FORWARD DROP
ustack iptables -N lan_out
ustack iptables -N icmp_lim
ustack iptables -N logdrop
ustack iptables -A FORWARD -p icmp --icmp-type echo-request -j icmp_lim
ustack iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ustack iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP
ustack iptables -A FORWARD -i "$LAN" -o "$WAN" -j lan_out
ustack iptables -A FORWARD -j logdrop
ustack iptables -A lan_out -p tcp -m multiport --dports 7000,7002 -m conntrack --ctstate NEW -j ACCEPT
ustack iptables -A lan_out -p tcp --dport 7001 -j REJECT --reject-with tcp-reset
ustack iptables -A lan_out -p udp -m multiport --dports 53,123 -j ACCEPT
ustack iptables -A lan_out -p icmp -j ACCEPT
ustack iptables -A lan_out -m comment --comment "anything else goes back to FORWARD" -j RETURN
ustack iptables -A icmp_lim -m limit --limit 2/sec --limit-burst 4 -j RETURN
ustack iptables -A icmp_lim -j logdrop
ustack iptables -A logdrop -m limit --limit 20/sec --limit-burst 50 -j LOG --log-prefix "fw-drop: " --log-level warning
ustack iptables -A logdrop -j DROP

# mangle: MSS clamping on the way out, and a mark for DNS
ustack iptables -t mangle -A FORWARD -o "$WAN" -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
ustack iptables -t mangle -A FORWARD -o "$WAN" -p tcp --dport 7002 --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1200
ustack iptables -t mangle -A PREROUTING -i "$LAN" -p udp --dport 53 -j MARK --set-mark 0x1
ustack iptables -t mangle -A POSTROUTING -o "$WAN" -m mark --mark 0x1 -j DSCP --set-dscp-class CS1

# nat: the LAN leaves with the router's WAN address; the router's 8080 is the server's 7000
ustack iptables -t nat -A POSTROUTING -o "$WAN" -j MASQUERADE
ustack iptables -t nat -A PREROUTING -i "$LAN" -p tcp --dport 8080 -j DNAT --to-destination "$SERVER":7000
ustack iptables -t raw -A PREROUTING -p udp --dport 123 -j NOTRACK
