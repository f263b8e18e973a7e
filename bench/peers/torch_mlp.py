#!/usr/bin/python3
"""PyTorch CPU peer: 784-H-10 MLP (ReLU, softmax cross-entropy) trained with mini-batch AdamW, cosine
schedule and linear warm-up (or plain SGD with --optimizer sgd), on the real MNIST in --mnist DIR (default $MNIST_DIR, else ~/.cache/spark-digits/mnist,
the folder `mvn test` fills). Prints one JSON line: ms per step (median,
min, max; the first 10% of steps, at most 50, are not counted), test accuracy after each epoch, train seconds.
Needs Debian's python3-torch and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread)
and runs under /usr/bin/python3. Fastest here with --threads 1 (OpenBLAS then uses its own threads;
--threads 2 oversubscribes the two cores and was 2.5x slower).
  torch_mlp.py --hidden 128 --batch 128 --epochs 20 --lr 0.002 --wd 0.05 --warmup 500 [--threads 1] [--steps N]
--steps N: time only N steps (speed mode, no accuracy)."""
import argparse, gzip, json, math, os, time
import numpy as np, torch

ap = argparse.ArgumentParser()
ap.add_argument('--hidden', type=int, default=128); ap.add_argument('--batch', type=int, default=128)
ap.add_argument('--epochs', type=int, default=20); ap.add_argument('--lr', type=float, default=0.002)
ap.add_argument('--wd', type=float, default=0.05); ap.add_argument('--warmup', type=int, default=500)
ap.add_argument('--dropout', type=float, default=0.0); ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--steps', type=int, default=0); ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--mnist', default=os.environ.get('MNIST_DIR') or os.path.join(os.path.expanduser('~'), '.cache', 'spark-digits', 'mnist'))
ap.add_argument('--dtype', default='float32')
ap.add_argument('--optimizer', default='adamw', choices=['adamw', 'sgd'])
a = ap.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
dt = getattr(torch, a.dtype)

def load(f):
    cache = '/tmp/torch-mlp-cache-' + os.path.basename(f) + '.npy'
    if os.path.exists(cache): m = np.load(cache)
    else:
        with gzip.open(f, 'rt') as h:
            first = h.readline()
            rows = [] if first.startswith('label') else [first]
            m = np.loadtxt([*rows, *h], delimiter=',', dtype=np.uint8)
        np.save(cache, m)
    return torch.from_numpy(m[:, 0].astype(np.int64)), torch.from_numpy(m[:, 1:].astype(np.float32) / 255.0).to(dt)

ytr, xtr = load(os.path.join(a.mnist, 'mnist_train.csv.gz')); yte, xte = load(os.path.join(a.mnist, 'mnist_test.csv.gz'))
layers = [torch.nn.Linear(784, a.hidden), torch.nn.ReLU()]
if a.dropout > 0: layers.append(torch.nn.Dropout(a.dropout))
layers.append(torch.nn.Linear(a.hidden, 10))
net = torch.nn.Sequential(*layers).to(dt)
opt = (torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd) if a.optimizer == 'adamw'
       else torch.optim.SGD(net.parameters(), lr=a.lr, weight_decay=a.wd))
n = len(ytr); spe = math.ceil(n / a.batch); total = spe * a.epochs if not a.steps else a.steps
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / a.warmup) if a.warmup and s < a.warmup
                                          else 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
lossf = torch.nn.CrossEntropyLoss()
times, accs, step = [], [], 0
t0 = time.time()
for ep in range(a.epochs):
    perm = torch.randperm(n)
    net.train()
    for i in range(spe):
        idx = perm[i * a.batch:(i + 1) * a.batch]
        s = time.perf_counter()
        opt.zero_grad(set_to_none=True); loss = lossf(net(xtr[idx]), ytr[idx]); loss.backward(); opt.step(); sched.step()
        times.append((time.perf_counter() - s) * 1000); step += 1
        if a.steps and step >= a.steps: break
    if a.steps and step >= a.steps: break
    net.eval()
    with torch.no_grad(): accs.append(round((net(xte).argmax(1) == yte).float().mean().item(), 4))
train_s = time.time() - t0
ts = sorted(times[min(50, len(times) // 10):])
print(json.dumps(dict(peer='torch', version=torch.__version__, threads=a.threads, dtype=a.dtype, hidden=a.hidden, batch=a.batch,
                      steps=step, ms_step_median=round(ts[len(ts) // 2], 3), ms_step_min=round(ts[0], 3), ms_step_max=round(ts[-1], 3),
                      train_seconds=round(train_s, 1), test_acc_per_epoch=accs, final_test_acc=accs[-1] if accs else None)))
