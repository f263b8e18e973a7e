#!/usr/bin/python3
"""PyTorch DistributedDataParallel peer on CPU: what TorchDistributor runs on a Spark cluster. WORLD processes
(default 2, one per core), gloo over loopback, each training the same 784-H-10 MLP on its half of every global
batch (B/WORLD rows), gradients all-reduced every step. Prints one JSON line (rank 0): ms per synchronous step
(median over the steps after the first 10%), and the all-reduce's share measured apart.
  torch_ddp.py --hidden 800 --batch 128 --steps 400 [--world 2] [--optimizer adamw|sgd]
Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); runs under /usr/bin/python3."""
import argparse, gzip, json, os, time
import numpy as np, torch, torch.distributed as dist, torch.multiprocessing as mp

def load(path):
    cache = '/tmp/torch-mlp-cache-' + os.path.basename(path) + '.npy'
    if os.path.exists(cache):
        m = np.load(cache)
    else:
        with gzip.open(path, 'rt') as h:
            first = h.readline()
            m = np.loadtxt([*([] if first.startswith('label') else [first]), *h], delimiter=',', dtype=np.uint8)
        np.save(cache, m)
    return torch.from_numpy(m[:, 0].astype(np.int64)), torch.from_numpy(m[:, 1:].astype(np.float32) / 255.0)

def run(rank, a, port):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1); torch.manual_seed(a.seed)
    dist.init_process_group('gloo', rank=rank, world_size=a.world)
    y, x = load(os.path.join(a.mnist, 'mnist_train.csv.gz'))
    net = torch.nn.Sequential(torch.nn.Linear(784, a.hidden), torch.nn.ReLU(), torch.nn.Linear(a.hidden, 10))
    ddp = torch.nn.parallel.DistributedDataParallel(net)
    opt = (torch.optim.AdamW(ddp.parameters(), lr=1e-3, weight_decay=0.1) if a.optimizer == 'adamw'
           else torch.optim.SGD(ddp.parameters(), lr=0.1))
    lossf = torch.nn.CrossEntropyLoss(); local = a.batch // a.world
    g = torch.Generator().manual_seed(a.seed); perm = torch.randperm(len(y), generator=g)
    times = []
    for s in range(a.steps):
        start = (s * a.batch) % (len(y) - a.batch)
        idx = perm[start + rank * local:start + (rank + 1) * local]
        dist.barrier(); t = time.perf_counter()
        opt.zero_grad(set_to_none=True); lossf(ddp(x[idx]), y[idx]).backward(); opt.step()
        times.append((time.perf_counter() - t) * 1000)
    flat = torch.zeros(sum(p.numel() for p in net.parameters())); ar = []
    for _ in range(100):
        dist.barrier(); t = time.perf_counter(); dist.all_reduce(flat); ar.append((time.perf_counter() - t) * 1000)
    if rank == 0:
        ts = sorted(times[len(times) // 10:]); ar.sort()
        print(json.dumps(dict(peer='torch-ddp', version=torch.__version__, world=a.world, hidden=a.hidden,
                              batch=a.batch, optimizer=a.optimizer, steps=a.steps,
                              ms_step_median=round(ts[len(ts) // 2], 3), ms_step_min=round(ts[0], 3),
                              ms_allreduce_median=round(ar[len(ar) // 2], 3), params=flat.numel())), flush=True)
    dist.destroy_process_group()

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--hidden', type=int, default=128); ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--steps', type=int, default=400); ap.add_argument('--world', type=int, default=2)
    ap.add_argument('--optimizer', default='adamw', choices=['adamw', 'sgd']); ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--mnist', default=os.environ.get('MNIST_DIR') or os.path.join(os.path.expanduser('~'), '.cache', 'spark-digits', 'mnist'))
    a = ap.parse_args()
    import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
    mp.spawn(run, args=(a, port), nprocs=a.world)
