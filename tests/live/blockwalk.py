#!/usr/bin/env python3
"""blockwalk.py FILE - walk a recording's blocks independently of ipcscope's
reader (docs/file-format.md) and print one line of figures for the tests:

  blocks=N meta_recs=N event_recs=N event_blocks=N max_event_raw=N trailer=0|1
  trailer_events=N trailer_drops=N tail_bytes=N

Only complete blocks with a good magic, tail and CRC count; tail_bytes is what
follows the last of them (a partial block a killed writer left)."""
import struct
import sys
import zlib

HDR = struct.Struct("<IHHIIIIQQ")   # struct ipcs_block_hdr (40 bytes)
TAIL = struct.Struct("<II")         # struct ipcs_block_tail
MAGIC = 0x4B4C4249

def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"IPCSCOPE":
        sys.exit("not a recording")
    off = struct.unpack_from("<I", data, 12)[0]     # header_size
    blocks = meta = events = eblocks = max_raw = trailer = t_events = t_drops = 0
    while off + HDR.size + TAIL.size <= len(data):
        magic, btype, _flags, blen, raw_len, crc, nrecs, _t0, _t1 = HDR.unpack_from(data, off)
        end = off + HDR.size + blen + TAIL.size
        if magic != MAGIC or end > len(data):
            break
        total, tmagic = TAIL.unpack_from(data, end - TAIL.size)
        payload = data[off + HDR.size:off + HDR.size + blen]
        if tmagic != MAGIC or total != end - off or zlib.crc32(payload) != crc:
            break
        blocks += 1
        if btype == 1:
            meta += nrecs
        elif btype == 2:
            events += nrecs
            eblocks += 1
            max_raw = max(max_raw, raw_len)
        elif btype == 3:    # struct ipcs_trailer, stored uncompressed
            trailer = 1
            t_events = struct.unpack_from("<Q", payload, 0)[0]
            t_drops = sum(struct.unpack_from("<8Q", payload, 8))
        off = end
    print(f"blocks={blocks} meta_recs={meta} event_recs={events} event_blocks={eblocks} "
          f"max_event_raw={max_raw} trailer={trailer} trailer_events={t_events} "
          f"trailer_drops={t_drops} tail_bytes={len(data) - off}")

main(sys.argv[1])
