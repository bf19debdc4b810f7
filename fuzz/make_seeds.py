#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/: a few small valid inputs
per fuzz target, built here byte by byte (with this file's own checksum) rather
than with the codecs under test. Rerun after changing it; the output is fixed.

The udp and tcp targets read the pseudo-header's source and destination
addresses from the first eight bytes, so their seeds start with them.
"""
import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
BROADCAST = b"\xff" * 6
IP_A = bytes([10, 0, 0, 1])
IP_B = bytes([10, 0, 0, 2])
ICMP, TCP, UDP = 1, 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def checksum(data: bytes) -> int:
    """RFC 1071: the complement of the ones' complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_checksum(data: bytes, offset: int, pseudo: bytes = b"") -> bytes:
    value = checksum(pseudo + data)
    return data[:offset] + struct.pack("!H", value) + data[offset + 2:]


def pseudo_header(src: bytes, dst: bytes, protocol: int, length: int) -> bytes:
    return src + dst + struct.pack("!BBH", 0, protocol, length)


def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes) -> bytes:
    return dst + src + struct.pack("!H", ethertype) + payload


def arp(op: int, sender_mac: bytes, sender_ip: bytes, target_mac: bytes, target_ip: bytes) -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sender_mac + sender_ip + target_mac + target_ip


def ipv4(src: bytes, dst: bytes, protocol: int, payload: bytes, *, ttl=64, ident=0x1234,
         flags_fragment=0x4000, tos=0, options=b"") -> bytes:
    assert len(options) % 4 == 0
    ihl = 5 + len(options) // 4
    header = struct.pack("!BBHHHBBH", 0x40 | ihl, tos, 4 * ihl + len(payload), ident,
                         flags_fragment, ttl, protocol, 0) + src + dst + options
    return with_checksum(header, 10) + payload


def udp(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes, *, zero_checksum=False) -> bytes:
    datagram = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if zero_checksum:
        return datagram
    datagram = with_checksum(datagram, 6, pseudo_header(src, dst, UDP, len(datagram)))
    if datagram[6:8] == b"\0\0":
        datagram = datagram[:6] + b"\xff\xff" + datagram[8:]
    return datagram


def tcp(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int, *,
        window=64240, options=b"", payload=b"") -> bytes:
    assert len(options) % 4 == 0
    offset = 5 + len(options) // 4
    segment = struct.pack("!HHIIHHHH", sport, dport, seq, ack, (offset << 12) | flags, window, 0,
                          0) + options + payload
    return with_checksum(segment, 16, pseudo_header(src, dst, TCP, len(segment)))


def icmp(type_: int, code: int, rest: bytes, data: bytes) -> bytes:
    return with_checksum(struct.pack("!BBH", type_, code, 0) + rest + data, 2)


# TCP options, in Linux's layout.
def mss(v): return struct.pack("!BBH", 2, 4, v)
def nop(): return b"\x01"
def wscale(v): return struct.pack("!BBB", 3, 3, v)
def sack_ok(): return struct.pack("!BB", 4, 2)
def timestamps(val, ecr): return struct.pack("!BBII", 8, 10, val, ecr)
def sack(*blocks): return struct.pack("!BB", 5, 2 + 8 * len(blocks)) + b"".join(struct.pack("!II", l, r) for l, r in blocks)


def pcap_file(records, *, big_endian=False, nanosecond=True) -> bytes:
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, 1)
    for seconds, fraction, frame in records:
        out += struct.pack(order + "IIII", seconds, fraction, len(frame), len(frame)) + frame
    return out


def main() -> None:
    dns_query = bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001")
    echo_data = b"minternet ping!!"

    syn_options = mss(1460) + sack_ok() + timestamps(1000, 0) + nop() + wscale(7)
    syn = tcp(IP_A, IP_B, 40000, 80, 1000, 0, SYN, options=syn_options)
    syn_ack = tcp(IP_B, IP_A, 80, 40000, 5000, 1001, SYN | ACK, window=65160,
                  options=syn_options)
    sack_options = nop() + nop() + timestamps(2000, 1500) + nop() + nop() + sack((1100, 1200), (1300, 1400))
    ack_sack = tcp(IP_A, IP_B, 40000, 80, 1001, 5001, ACK, options=sack_options)
    data = tcp(IP_A, IP_B, 40000, 80, 1001, 5001, PSH | ACK, payload=b"GET / HTTP/1.0\r\n\r\n")
    fin = tcp(IP_A, IP_B, 40000, 80, 1019, 5001, FIN | ACK)
    rst = tcp(IP_B, IP_A, 80, 40000, 5001, 0, RST)
    unknown_option = tcp(IP_A, IP_B, 40000, 80, 1, 0, SYN,
                         options=struct.pack("!BBHH", 254, 6, 0xF989, 0) + nop() + nop())
    four_sacks = tcp(IP_A, IP_B, 40000, 80, 1, 2, ACK,
                     options=nop() + nop() + sack((10, 20), (30, 40), (50, 60), (70, 80)))

    dns = udp(IP_A, IP_B, 53000, 53, dns_query)
    no_checksum = udp(IP_A, IP_B, 5000, 6000, b"no checksum", zero_checksum=True)
    empty = udp(IP_A, IP_B, 7, 7, b"")
    odd = udp(IP_A, IP_B, 1234, 4321, b"odd")

    echo_request = icmp(8, 0, struct.pack("!HH", 0x4242, 1), echo_data)
    echo_reply = icmp(0, 0, struct.pack("!HH", 0x4242, 1), echo_data)
    quoted = ipv4(IP_A, IP_B, UDP, dns)[:28]
    frag_needed = icmp(3, 4, struct.pack("!HH", 0, 1400), quoted)
    port_unreachable = icmp(3, 3, b"\0" * 4, quoted)
    time_exceeded = icmp(11, 0, b"\0" * 4, quoted)

    arp_request = arp(1, MAC_A, IP_A, b"\0" * 6, IP_B)
    arp_reply = arp(2, MAC_B, IP_B, MAC_A, IP_A)
    gratuitous = arp(1, MAC_A, IP_A, b"\0" * 6, IP_A)

    ip_udp = ipv4(IP_A, IP_B, UDP, dns)
    ip_icmp = ipv4(IP_A, IP_B, ICMP, echo_request, flags_fragment=0)
    ip_tcp = ipv4(IP_A, IP_B, TCP, syn)
    ip_options = ipv4(IP_A, IP_B, UDP, dns, options=bytes.fromhex("94040000"), tos=0xB8)
    first_fragment = ipv4(IP_A, IP_B, UDP, dns[:16], flags_fragment=0x2000, ident=7)
    last_fragment = ipv4(IP_A, IP_B, UDP, dns[16:], flags_fragment=2, ident=7)
    ttl_one = ipv4(IP_A, IP_B, ICMP, echo_request, ttl=1, flags_fragment=0)

    def frame(payload: bytes, ethertype=0x0800, dst=MAC_B) -> bytes:
        return ethernet(dst, MAC_A, ethertype, payload)

    def padded(f: bytes) -> bytes:
        return f + b"\0" * max(0, 60 - len(f))

    addrs_ab = IP_A + IP_B
    addrs_ba = IP_B + IP_A
    seeds = {
        "ethernet": {
            "arp_request": padded(frame(arp_request, 0x0806, BROADCAST)),
            "ipv4_udp": frame(ip_udp),
            "vlan_tagged": frame(struct.pack("!HH", 0x0064, 0x0800) + ip_udp, 0x8100),
            "header_only": frame(b"", 0x86DD),
        },
        "arp": {
            "request": arp_request,
            "reply": arp_reply,
            "gratuitous": gratuitous,
            "request_padded": arp_request + b"\0" * 18,
        },
        "ipv4": {
            "udp": ip_udp,
            "icmp_echo": ip_icmp,
            "tcp_syn": ip_tcp,
            "options": ip_options,
            "first_fragment": first_fragment,
            "last_fragment": last_fragment,
            "ttl_one_padded": ttl_one + b"\0" * 6,
        },
        "icmpv4": {
            "echo_request": echo_request,
            "echo_reply": echo_reply,
            "frag_needed": frag_needed,
            "port_unreachable": port_unreachable,
            "time_exceeded": time_exceeded,
        },
        "udp": {
            "dns_query": addrs_ab + dns,
            "zero_checksum": addrs_ab + no_checksum,
            "empty": addrs_ab + empty,
            "odd_length": addrs_ab + odd,
        },
        "tcp": {
            "syn_all_options": addrs_ab + syn,
            "syn_ack": addrs_ba + syn_ack,
            "ack_sack_timestamps": addrs_ab + ack_sack,
            "data_psh": addrs_ab + data,
            "fin": addrs_ab + fin,
            "rst": addrs_ba + rst,
            "unknown_option": addrs_ab + unknown_option,
            "four_sack_blocks": addrs_ab + four_sacks,
        },
        "pcap": {
            "two_records": pcap_file([(1700000000, 123456789, frame(ip_tcp)),
                                      (1700000001, 5, padded(frame(arp_request, 0x0806, BROADCAST)))]),
            "big_endian_microseconds": pcap_file([(1, 999999, frame(ip_icmp))], big_endian=True,
                                                 nanosecond=False),
            "header_only": pcap_file([]),
        },
        "frame": {
            "tcp_syn": frame(ip_tcp),
            "tcp_data": frame(ipv4(IP_A, IP_B, TCP, data)),
            "tcp_sack": frame(ipv4(IP_A, IP_B, TCP, ack_sack)),
            "udp_dns": frame(ip_udp),
            "icmp_echo": frame(ip_icmp),
            "icmp_frag_needed": frame(ipv4(IP_B, IP_A, ICMP, frag_needed)),
            "arp_request_padded": padded(frame(arp_request, 0x0806, BROADCAST)),
            "ipv4_fragment": frame(first_fragment),
            "ipv4_options_udp": frame(ip_options),
            "ipv6_unknown": frame(bytes.fromhex("6000000000083a40") + b"\0" * 32 + b"\x80\0\0\0\0\0\0\0",
                                  0x86DD),
        },
        # The load generators' headers (docs/topology.md): the first byte picks
        # tcp-bulk's request (even) or udp-cbr's header (odd).
        "load_headers": {
            "bulk_10mb": b"\0" + b"BULK" + bytes([1, 0, 0, 0]) + struct.pack("!Q", 10_000_000),
            "bulk_reverse_10s": b"\0" + b"BULK" + bytes([1, 1, 1, 0]) + struct.pack("!Q", 10 * 10**9),
            "cbr_first": b"\1" + struct.pack("!IIqq", 0, 1250, 5_000_000, 999_200_000) + b"abcd",
            "cbr_last": b"\1" + struct.pack("!IIqq", 1249, 1250, 1_004_200_000, 0),
        },
    }

    # The host target reads frames as a 2-byte length (shifted left, the low bit
    # picks the interface) and the bytes. Its interface 0 is MAC_A / IP_A; the
    # frames come from B.
    def record(f: bytes, interface: int = 0) -> bytes:
        return struct.pack("!H", (len(f) << 1) | interface) + f

    def to_host(payload: bytes, ethertype=0x0800) -> bytes:
        return ethernet(MAC_A, MAC_B, ethertype, payload)

    far = bytes([10, 9, 9, 9])
    seeds["host"] = {
        "arp_then_ping": record(padded(ethernet(BROADCAST, MAC_B, 0x0806, arp(1, MAC_B, IP_B, b"\0" * 6, IP_A))))
        + record(to_host(ipv4(IP_B, IP_A, ICMP, echo_request, flags_fragment=0))),
        "forward_and_ttl": record(to_host(ipv4(IP_B, far, UDP, udp(IP_B, far, 1, 2, b"x" * 40))))
        + record(to_host(ipv4(IP_B, far, ICMP, echo_request, ttl=1, flags_fragment=0))),
        "fragments": record(to_host(ipv4(IP_B, IP_A, UDP, udp(IP_B, IP_A, 5, 6, b"y" * 24)[:16],
                                         flags_fragment=0x2000, ident=9)))
        + record(to_host(ipv4(IP_B, IP_A, UDP, udp(IP_B, IP_A, 5, 6, b"y" * 24)[16:], flags_fragment=2, ident=9))),
        "unknown_protocol": record(to_host(ipv4(IP_B, IP_A, 200, b"hello"))),
    }
    # IPv6 packets (RFC 8200 §3): fixed header, then extension headers.
    def ipv6(next_header: int, payload: bytes) -> bytes:
        src = bytes.fromhex("fe800000000000000000000000000001")
        dst = bytes.fromhex("ff020000000000000000000000000001")
        return struct.pack("!IHBB", 6 << 28, len(payload), next_header, 255) + src + dst + payload

    echo6 = bytes([128, 0, 0, 0, 0, 1, 0, 1])
    seeds["ipv6"] = {
        "echo": ipv6(58, echo6),
        "hop_by_hop_dest_opts": ipv6(0, bytes([60, 0, 5, 2, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0])
                                     + bytes([0, 1, 0, 2, 0, 8, 0, 0])),
        "routing_type0": ipv6(43, bytes([58, 2, 0, 2, 0, 0, 0, 0]) + bytes(16) + echo6),
        "first_fragment": ipv6(44, bytes([17, 0, 0, 1, 1, 2, 3, 4, 0, 1, 0, 2, 0, 8, 0, 0])),
    }
    # ICMPv6 messages behind their IPv6 context (source, destination, hop
    # limit), checksums over the IPv6 pseudo-header (RFC 8200 §8.1).
    def icmpv6(src: bytes, dst: bytes, hop_limit: int, message: bytes) -> bytes:
        pseudo = src + dst + struct.pack("!IxxxB", len(message), 58)
        return src + dst + bytes([hop_limit]) + with_checksum(message, 2, pseudo)

    ll_router = bytes.fromhex("fe8000000000000000ff0000fe0001fe")
    global_a = bytes.fromhex("20010db8009900010000000000000001")
    global_b = bytes.fromhex("20010db8009900010000000000000002")
    all_nodes = bytes.fromhex("ff020000000000000000000000000001")
    solicited_b = bytes.fromhex("ff0200000000000000000001ff000002")
    lla_a = bytes([1, 1]) + bytes.fromhex("020000000101")
    prefix = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + global_a[:8] + bytes(8)
    seeds["icmpv6"] = {
        "echo": icmpv6(global_a, global_b, 64, struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ping"),
        "packet_too_big": icmpv6(global_b, global_a, 64,
                                 struct.pack("!BBHI", 2, 0, 0, 1280) + bytes.fromhex("6000000005a03a40")),
        "neighbor_solicitation": icmpv6(global_a, solicited_b, 255,
                                        struct.pack("!BBHI", 135, 0, 0, 0) + global_b + lla_a),
        "dad": icmpv6(bytes(16), solicited_b, 255, struct.pack("!BBHI", 135, 0, 0, 0) + global_b),
        "neighbor_advertisement": icmpv6(global_b, global_a, 255,
                                         struct.pack("!BBHI", 136, 0, 0, 0x60000000) + global_b
                                         + bytes([2, 1]) + bytes.fromhex("020000000102")),
        "router_advertisement": icmpv6(ll_router, all_nodes, 255,
                                       struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
                                       + lla_a + struct.pack("!BBHI", 5, 1, 0, 1480) + prefix),
        "redirect": icmpv6(ll_router, global_a, 255,
                           struct.pack("!BBHI", 137, 0, 0, 0) + ll_router + global_b
                           + bytes([4, 2]) + bytes(6) + bytes.fromhex("6000000000083a40")),
    }
    # The host target over IPv6: its interface 0 is 2001:db8::1/64 (MAC_A),
    # the frames come from 2001:db8::2 (MAC_B).
    def ip6(src: bytes, dst: bytes, hop_limit: int, message: bytes) -> bytes:
        pseudo = src + dst + struct.pack("!IxxxB", len(message), 58)
        body = with_checksum(message, 2, pseudo)
        return struct.pack("!IHBB", 6 << 28, len(body), 58, hop_limit) + src + dst + body

    host_a6 = bytes.fromhex("20010db8000000000000000000000001")
    host_b6 = bytes.fromhex("20010db8000000000000000000000002")
    far6 = bytes.fromhex("20010db8009900000000000000000009")
    ns_for_a = struct.pack("!BBHI", 135, 0, 0, 0) + host_a6 + bytes([1, 1]) + MAC_B
    echo6_request = struct.pack("!BBHHH", 128, 0, 0, 7, 1) + b"ping6"
    seeds["host"]["ipv6_resolve_then_ping"] = (
        record(to_host(ip6(host_b6, bytes.fromhex("ff0200000000000000000001ff000001"), 255, ns_for_a),
                       0x86DD))
        + record(to_host(ip6(host_b6, host_a6, 64, echo6_request), 0x86DD)))
    seeds["host"]["ipv6_forward_hop_limit"] = (
        record(to_host(ip6(host_b6, far6, 64, echo6_request), 0x86DD))
        + record(to_host(ip6(host_b6, far6, 1, echo6_request), 0x86DD)))
    # IPv6 addresses and prefixes as text (RFC 4291 §2.2 forms, one that fails).
    seeds["ipv6_address"] = {
        "compressed": b"2001:db8::8:800:200c:417a",
        "mapped": b"::ffff:192.0.2.1",
        "prefix": b"fe80::200:5eff:fe00:5301/64",
        "dotted": b"0:0:0:0:0:0:13.1.68.3",
        "two_gaps": b"1::2::3",
    }
    for target, files in seeds.items():
        directory = CORPUS / target
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            assert len(content) <= 512, (target, name)
            (directory / name).write_bytes(content)


if __name__ == "__main__":
    main()
