package org.sparkdigits.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Test helpers: meshes of n ranks in threads on 127.0.0.1. */
final class Meshes {

    static final String HOST = "127.0.0.1";

    interface RankTask<T> {
        T run(int rank) throws Exception;
    }

    private Meshes() {
    }

    static MeshConfig config(boolean encrypt, Duration timeout, String stage) {
        return new MeshConfig(secret(1), encrypt, timeout, 0, 0, stage);
    }

    static byte[] secret(int seed) {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (seed * 31 + i * 7);
        }
        return s;
    }

    /** n meshes bound, not connected. */
    static Mesh[] bind(int n, MeshConfig config) throws Exception {
        Mesh[] meshes = new Mesh[n];
        for (int r = 0; r < n; r++) {
            meshes[r] = Mesh.bind(r, n, HOST, config);
        }
        return meshes;
    }

    static List<String> addresses(Mesh[] meshes) {
        List<String> a = new ArrayList<>();
        for (Mesh m : meshes) {
            a.add(m.address());
        }
        return a;
    }

    /** n meshes bound and connected. */
    static Mesh[] connected(int n, MeshConfig config) throws Exception {
        Mesh[] meshes = bind(n, config);
        List<String> addresses = addresses(meshes);
        try {
            parallel(n, r -> {
                meshes[r].connect(addresses);
                return null;
            });
        } catch (Exception e) {
            closeAll(meshes);
            throw e;
        }
        return meshes;
    }

    /** Runs task for every rank on its own thread; the results by rank; the first failure rethrown. */
    static <T> List<T> parallel(int n, RankTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> task.run(rank)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception x) {
                        throw x;
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static void closeAll(Mesh[] meshes) {
        for (Mesh m : meshes) {
            if (m != null) {
                m.close();
            }
        }
    }
}
