"""Anchor: Captum's recipe (50 Gauss-Legendre points in one batch, zero baseline, target logit 1)
on an ONNX graph evaluated with PyTorch eager ops and differentiated with torch.autograd:
  - a text model (sample.json has input_ids): LIG-50, the gradient of the target logit w.r.t.
    the word-embedding lookup (the Gather on *word_embeddings.weight), attribution summed over
    the hidden axis per token;
  - an image model (sample.json has pixel_values_seed): IG-50 on pixel_values of the seeded
    random image bench/main.ts and bench/node.ts draw (mulberry32 + Box-Muller, reproduced here).
Prints one JSON line: forward-50 and attribution seconds (best of `repeats`, after one untimed
warm-up of each), the logits it computes for the sample (beside `want`, Glassbox's cpu runtime,
where sample.json has it), the attribution's sum, and the peak resident memory.
`pnpm bench` runs it (bench/node.ts) with /usr/bin/python3 or BENCH_PYTHON; it needs numpy,
onnx and torch (apt-get install python3-torch python3-onnx, or pip install numpy onnx torch).
Usage, on the models `pnpm bench` builds (BENCH_MODELS_ONLY=1 pnpm bench builds them and stops):
  python3 bench/torch_onnx_lig.py bench/.models/distilbert-base-geometry/onnx/model.onnx \
    bench/.models/distilbert-base-geometry/sample.json [threads] [repeats] [attribution.f32]
  python3 bench/torch_onnx_lig.py bench/.models/vit-base-geometry/onnx/model.onnx \
    bench/.models/vit-base-geometry/sample.json [threads] [repeats] [attribution.f32]
The optional last argument writes the attribution there as raw little-endian float32 (per
token for text, [3, 224, 224] for images), for the benchmark to compare engines against."""
import argparse, json, math, resource, time
import numpy as np, onnx, torch
import torch.nn.functional as F
from onnx import numpy_helper

ap = argparse.ArgumentParser(description='LIG-50 / IG-50 on an ONNX graph with PyTorch eager ops and autograd')
ap.add_argument('model'); ap.add_argument('sample')
ap.add_argument('threads', nargs='?', type=int, default=torch.get_num_threads())
ap.add_argument('repeats', nargs='?', type=int, default=3)
ap.add_argument('out', nargs='?', default=None)
ap.add_argument('--points-per-pass', type=int, default=50, help='points differentiated together (default 50: one batch)')
args = ap.parse_args()
path, sample_path, threads, reps, out_path, per_pass = args.model, args.sample, args.threads, args.repeats, args.out, args.points_per_pass
torch.set_num_threads(threads)
m = onnx.load(path)
g = m.graph
init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
attrs = lambda n: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
DT = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 11: torch.float64}

# Where each value is read for the last time: run() drops it there, as eager PyTorch code drops
# its intermediates (autograd keeps what the backward pass needs).
last_use = {}
for k, n in enumerate(g.node):
    for i in n.input: last_use[i] = k
keep = set(init) | {o.name for o in g.output}

def run(feeds, override=None):
    env = dict(init); env.update(feeds)
    for k, n in enumerate(g.node):
        a = attrs(n); x = [env[i] if i else None for i in n.input]; op = n.op_type
        if override and n.output[0] in override: y = override[n.output[0]]
        elif op == 'Constant': y = torch.from_numpy(numpy_helper.to_array(a['value']).copy())
        elif op == 'ConstantOfShape':
            v = numpy_helper.to_array(a['value']) if 'value' in a else np.zeros(1, np.float32)
            y = torch.full([int(d) for d in x[0].tolist()], v.reshape(-1)[0].item(), dtype=torch.from_numpy(v.copy()).dtype)
        elif op == 'Identity': y = x[0]
        elif op in ('Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal'):
            y = {'Add': torch.add, 'Sub': torch.sub, 'Mul': torch.mul, 'Div': torch.div, 'Pow': torch.pow, 'Equal': torch.eq}[op](x[0], x[1])
            if op == 'Div' and not x[0].is_floating_point(): y = torch.div(x[0], x[1], rounding_mode='trunc')
        elif op == 'MatMul': y = torch.matmul(x[0], x[1])
        elif op == 'Gemm':
            A = x[0].T if a.get('transA', 0) else x[0]; B = x[1].T if a.get('transB', 0) else x[1]
            y = a.get('alpha', 1.0) * (A @ B) + (a.get('beta', 1.0) * x[2] if len(x) > 2 and x[2] is not None else 0)
        elif op == 'Conv':
            if a.get('auto_pad', b'NOTSET') not in (b'NOTSET', 'NOTSET'): raise SystemExit('Conv auto_pad')
            p = list(a.get('pads', [0, 0, 0, 0])); k = len(p) // 2
            if p[:k] != p[k:]: raise SystemExit('Conv with asymmetric pads')
            y = F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, stride=tuple(a.get('strides', [1, 1])), padding=tuple(p[:k]),
                         dilation=tuple(a.get('dilations', [1, 1])), groups=a.get('group', 1))
        elif op == 'Unsqueeze':
            y = x[0]
            for ax in sorted(int(v) for v in (x[1].tolist() if len(x) > 1 else a['axes'])): y = y.unsqueeze(ax if ax >= 0 else ax + y.dim() + 1)
        elif op == 'Concat': y = torch.cat([t.reshape(-1) if t.dim() == 0 else t for t in x], dim=a['axis'])
        elif op == 'Reshape':
            shp = [int(v) for v in x[1].tolist()]; shp = [x[0].shape[i] if v == 0 else v for i, v in enumerate(shp)]; y = x[0].reshape(shp)
        elif op == 'ReduceMean': y = x[0].mean(dim=list(a['axes']), keepdim=bool(a.get('keepdims', 1)))
        elif op == 'Transpose': y = x[0].permute(*a['perm'])
        elif op == 'Shape': y = torch.tensor(list(x[0].shape), dtype=torch.int64)
        elif op == 'Gather':
            ax = a.get('axis', 0); idx = x[1].long()
            if ax < 0: ax += x[0].dim()
            y = torch.index_select(x[0], ax, idx.reshape(-1)).reshape(*x[0].shape[:ax], *idx.shape, *x[0].shape[ax + 1:]) if idx.dim() else x[0].select(ax, int(idx))
        elif op == 'Sqrt': y = torch.sqrt(x[0])
        elif op == 'Erf': y = torch.erf(x[0])
        elif op == 'Relu': y = torch.relu(x[0])
        elif op == 'Softmax': y = torch.softmax(x[0], dim=a.get('axis', -1))
        elif op == 'Cast': y = x[0].to(DT[a['to']])
        elif op == 'Where': y = torch.where(x[0], x[1], x[2])
        elif op == 'Expand':
            shp = [int(v) for v in x[1].tolist()]
            y = x[0] * torch.ones(shp, dtype=x[0].dtype) if x[0].is_floating_point() else x[0].expand(torch.broadcast_shapes(x[0].shape, shp))
        elif op == 'Slice':
            st, en = int(x[1][0]), int(x[2][0]); ax = int(x[3][0]) if len(x) > 3 and x[3] is not None else 0
            if len(x) > 4 and x[4] is not None and int(x[4][0]) != 1: raise SystemExit('Slice with a step')
            d = x[0].shape[ax]; st = max(0, st + d if st < 0 else st); en = min(d, en + d if en < 0 else en)
            y = x[0].narrow(ax, st, max(0, en - st))
        else: raise SystemExit('op ' + op)
        for o, v in zip(n.output, [y]): env[o] = v
        for i in n.input:
            if i and last_use[i] == k and i not in keep: env.pop(i, None)
    return env[g.output[0].name]

def normals(n, seed):
    """bench/main.ts's normals(): mulberry32 uniforms, Box-Muller pairs, rounded to float32."""
    M = 0xFFFFFFFF
    imul = lambda a, b: (a * b) & M
    s = seed & M; out = np.empty(n, np.float64)
    def uniform():
        nonlocal s
        s = (s + 0x6D2B79F5) & M; t = s
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M
        return ((t ^ (t >> 14)) & M) / 4294967296
    for i in range(0, n, 2):
        r = math.sqrt(-2 * math.log(uniform() + 1e-12)); ang = 2 * math.pi * uniform()
        out[i] = r * math.cos(ang)
        if i + 1 < n: out[i + 1] = r * math.sin(ang)
    return out.astype(np.float32)

TARGET = 1
B = 50
s = json.load(open(sample_path))
pts, wts = np.polynomial.legendre.leggauss(B)
alphas = torch.tensor((pts + 1) / 2, dtype=torch.float32); weights = torch.tensor(wts / 2, dtype=torch.float32)

if 'input_ids' in s:
    method = 'LIG-%d' % B
    ids = torch.tensor(s['input_ids'], dtype=torch.int64); mask = torch.tensor(s['attention_mask'], dtype=torch.int64)
    feeds1 = {'input_ids': ids, 'attention_mask': mask}
    feeds = {'input_ids': ids.repeat(B, 1), 'attention_mask': mask.repeat(B, 1)}
    gather = next(n for n in g.node if n.op_type == 'Gather' and n.input[0].endswith('word_embeddings.weight'))
    x = init[gather.input[0]][ids[0]]; base = torch.zeros_like(x)
    def attribute():
        total = torch.zeros_like(x)
        for k in range(0, B, per_pass):
            a = alphas[k:k + per_pass]; r = a.shape[0]
            e = (base + a.view(-1, 1, 1) * (x - base)).requires_grad_(True)
            out = run({'input_ids': ids.repeat(r, 1), 'attention_mask': mask.repeat(r, 1)}, {gather.output[0]: e})
            gr, = torch.autograd.grad(out[:, TARGET].sum(), e)
            total += (gr * weights[k:k + per_pass].view(-1, 1, 1)).sum(0)
        return (total * (x - base)).sum(-1)
else:
    method = 'IG-%d' % B
    inp = g.input[0]
    shape = [d.dim_value for d in inp.type.tensor_type.shape.dim][1:]
    x = torch.from_numpy(normals(int(np.prod(shape)), s.get('pixel_values_seed', 11)).reshape(shape)); base = torch.zeros_like(x)
    feeds1 = {inp.name: x[None]}
    feeds = {inp.name: x.expand(B, *shape).contiguous()}
    view = (-1,) + (1,) * len(shape)
    def attribute():
        total = torch.zeros_like(x)
        for k in range(0, B, per_pass):
            p = (base + alphas[k:k + per_pass].view(view) * (x - base)).requires_grad_(True)
            out = run({inp.name: p})
            gr, = torch.autograd.grad(out[:, TARGET].sum(), p)
            total += (gr * weights[k:k + per_pass].view(view)).sum(0)
        return total * (x - base)

with torch.no_grad(): logits1 = run(feeds1)
def fwd50():
    with torch.no_grad(): return run(feeds)
def best(f):
    ts = []
    for _ in range(reps): t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)
fwd50(); attr = attribute()
forward_s = best(fwd50); attr_s = best(attribute)
if out_path: attr.detach().numpy().astype('<f4').tofile(out_path)
print(json.dumps({'method': method, 'points_per_pass': min(per_pass, B), 'threads': threads, 'repeats': reps, 'torch': torch.__version__,
                  'logits_check': [round(v, 5) for v in logits1[0].tolist()], 'want': s.get('logits_float32', [None])[0],
                  'forward50_s': round(forward_s, 3), 'attribution50_s': round(attr_s, 3), 'lig50_s' if 'input_ids' in s else 'ig50_s': round(attr_s, 3),
                  'attr_sum': float(attr.sum()), 'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
