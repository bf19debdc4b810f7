// TCP segmentation offload at the TAP seam.
//
// TCP builds its segments at the MSS, as on any link: its scoreboard, its
// retransmissions, the simulator, captures and the impairment path all see
// MTU-sized frames, and nothing else has to cut large ones up. What the
// kernel charges is per write, so the frames of one flush going to a TAP
// opened with offloads are looked at together: a run of consecutive
// full-sized segments of one connection (same headers but for sequence
// number, lengths and IP identification; only the last may be shorter or
// carry PSH or FIN) goes out as one large segment with GSO metadata in its
// virtio-net header. The kernel takes it as one packet, as a NIC's TSO would
// have cut it back into the same segments: numbered from the first's
// sequence number and IP identification, PSH and FIN on the last only.
//
// Only segments whose checksum is pending (base::PacketBuffer) are merged —
// the kernel completes the checksum of the whole; every other frame passes
// as it is, in its place, with a needs-checksum header when its checksum is
// pending.
#pragma once

#include <cstddef>
#include <vector>

#include "base/buffer.hpp"
#include "live/vnet.hpp"

namespace live::tso {

struct Frame {
    base::PacketBuffer bytes;  // the Ethernet frame
    vnet::Header header;       // what goes in front of it
    size_t segments = 1;       // MTU-sized segments it carries
};

// The header a frame of ours goes out behind, alone: `needs checksum` with
// where, when its checksum is pending; else empty.
vnet::Header header_for(const base::PacketBuffer& frame);

// The frames of one flush, in order, with runs merged into segments of at
// most `max_ip_len` bytes of IP packet. `pool` gives the merged frames'
// buffers (its blocks must hold a frame that large, or the buffer grows).
std::vector<Frame> coalesce(std::vector<base::PacketBuffer> frames, base::BufferPool& pool,
                            size_t max_ip_len = 65535);

// The other way, in software (GSO), for a seam whose far side takes only
// MTU-sized frames with their checksums — the hybrid mode's simulated links:
// a frame the kernel handed over behind `header`, its partial checksum
// completed, and a large TCP segment cut at gso_size as a NIC's TSO would
// (headers copied, sequence numbers and IP identifications counted up, PSH
// and FIN on the last piece only, CWR on the first, every checksum made).
// An error for a header that does not fit the frame.
base::Expected<std::vector<base::PacketBuffer>, vnet::Problem> segment(base::PacketBuffer frame,
                                                                       const vnet::Header& header,
                                                                       base::BufferPool& pool);

}  // namespace live::tso
