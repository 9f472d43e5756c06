"""The board glue around the smets device core: MQTT client, flash store, hardware abstraction,
display and the main loop. MicroPython (ESP32, RP2, unix port); see the README's section on boards."""

import gc

GC_FRACTION = 64

if hasattr(gc, "threshold") and hasattr(gc, "mem_free"):  # MicroPython (CPython's gc has neither)
    # Collect after every 1/64 of the free heap is allocated, not only when it is full: garbage is
    # then freed while it lies among the objects allocated just before it, the next allocations
    # reuse those holes, and the heap stays in few pieces. The board's week on the unix port needs
    # about 70 KB less heap so (benchmarks/bench_board_memory.py), for a few more collections.
    gc.threshold(gc.mem_free() // GC_FRACTION)
