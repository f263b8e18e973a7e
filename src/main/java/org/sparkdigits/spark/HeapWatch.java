package org.sparkdigits.spark;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The largest heap use of this JVM, sampled every 50 ms on a daemon thread, garbage included. In local mode the
 * driver is also the executor, so this covers the cached blocks and the tasks; it never exceeds {@link #maxMb()}.
 */
final class HeapWatch implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile long peak;
    private volatile boolean running = true;

    HeapWatch() {
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        long used = memory.getHeapMemoryUsage().getUsed();
        if (used > peak) {
            peak = used;
        }
    }

    double peakMb() {
        sample();
        return peak / 1e6;
    }

    static double maxMb() {
        return Runtime.getRuntime().maxMemory() / 1e6;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
