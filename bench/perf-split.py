#!/usr/bin/env python3
"""Splits a `perf record -g` profile of a server (bench/s1-kernel-split.sh, mode perf) into where
its CPU went: the loopback receive path (every sample with net_rx_action on its stack: the
softirq that, after loopback_xmit, runs the subscriber's side of TCP in the sender's context,
work a real network does on the client's machine), the rest of the kernel, and user space.

Usage: perf script -i perf.data | bench/perf-split.py [total-us-per-delivery]
Prints the fractions, and with the total (from /proc/<pid>/stat over the same window) each part
in microseconds per delivery.
"""
import sys

samples = rx = kernel = 0
stack = []


def finish():
    global samples, rx, kernel
    if not stack:
        return
    samples += 1
    if any('net_rx_action' in f for f in stack):
        rx += 1
    if stack[0].lstrip().startswith('ffffffff'):
        kernel += 1
    stack.clear()


for line in sys.stdin:
    if not line.strip():
        finish()
    elif line[0] in ' \t':
        stack.append(line)
finish()
if samples == 0:
    sys.exit('no samples')
total = float(sys.argv[1]) if len(sys.argv) > 1 else None
parts = [('loopback receive (net_rx_action)', rx), ('kernel, the rest', kernel - rx),
         ('user space', samples - kernel), ("server's own (all but loopback receive)", samples - rx)]
print(f'samples={samples}')
for name, n in parts:
    us = f' = {total * n / samples:.2f} us/delivery' if total is not None else ''
    print(f'{name}: {100.0 * n / samples:.1f} %{us}')
