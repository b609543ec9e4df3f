"""Anchor: LIG-50 (Captum's recipe: 50 Gauss-Legendre points in one batch, gradient of the
target logit w.r.t. the word-embedding lookup) on an ONNX graph evaluated with PyTorch eager
ops and torch.autograd. Prints forward-50 and LIG-50 seconds (best of N) as JSON, and the
logits it computes for the sample beside the sample's own (`want`: Glassbox's cpu runtime).
Not part of `pnpm bench`; needs numpy, onnx and torch (pip install numpy onnx torch).
Usage, on the model `pnpm bench` builds (BENCH_MODELS_ONLY=1 pnpm bench builds it and stops):
  python3 bench/torch_onnx_lig.py bench/.models/distilbert-base-geometry/onnx/model.onnx \
    bench/.models/distilbert-base-geometry/sample.json [threads] [repeats]"""
import json, sys, time
import numpy as np, onnx, torch
from onnx import numpy_helper

path, sample_path = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else torch.get_num_threads()
reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
torch.set_num_threads(threads)
m = onnx.load(path)
g = m.graph
init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
attrs = lambda n: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
DT = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 11: torch.float64}

def run(feeds, override=None):
    env = dict(init); env.update(feeds)
    for n in g.node:
        a = attrs(n); x = [env[i] if i else None for i in n.input]; op = n.op_type
        if override and n.output[0] in override: env[n.output[0]] = override[n.output[0]]; continue
        if op == 'Constant': y = torch.from_numpy(numpy_helper.to_array(a['value']).copy())
        elif op == 'Identity': y = x[0]
        elif op in ('Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal'):
            y = {'Add': torch.add, 'Sub': torch.sub, 'Mul': torch.mul, 'Div': torch.div, 'Pow': torch.pow, 'Equal': torch.eq}[op](x[0], x[1])
            if op == 'Div' and not x[0].is_floating_point(): y = torch.div(x[0], x[1], rounding_mode='trunc')
        elif op == 'MatMul': y = torch.matmul(x[0], x[1])
        elif op == 'Gemm':
            A = x[0].T if a.get('transA', 0) else x[0]; B = x[1].T if a.get('transB', 0) else x[1]
            y = a.get('alpha', 1.0) * (A @ B) + (a.get('beta', 1.0) * x[2] if len(x) > 2 and x[2] is not None else 0)
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
            y = torch.index_select(x[0], ax, idx.reshape(-1)).reshape(*x[0].shape[:ax], *idx.shape, *x[0].shape[ax + 1:]) if idx.dim() else x[0].select(ax, int(idx))
        elif op == 'Sqrt': y = torch.sqrt(x[0])
        elif op == 'Erf': y = torch.erf(x[0])
        elif op == 'Relu': y = torch.relu(x[0])
        elif op == 'Softmax': y = torch.softmax(x[0], dim=a.get('axis', -1))
        elif op == 'Cast': y = x[0].to(DT[a['to']])
        elif op == 'Where': y = torch.where(x[0], x[1], x[2])
        elif op == 'Expand': y = x[0] * torch.ones([int(v) for v in x[1].tolist()], dtype=x[0].dtype)
        elif op == 'Slice':
            st, en = int(x[1][0]), int(x[2][0]); ax = int(x[3][0]) if len(x) > 3 else 0
            y = x[0].narrow(ax, st, min(en, x[0].shape[ax]) - st)
        else: raise SystemExit('op ' + op)
        for o, v in zip(n.output, [y]): env[o] = v
    return env[g.output[0].name]

s = json.load(open(sample_path))
ids = torch.tensor(s['input_ids'], dtype=torch.int64); mask = torch.tensor(s['attention_mask'], dtype=torch.int64)
B = 50; feeds = {'input_ids': ids.repeat(B, 1), 'attention_mask': mask.repeat(B, 1)}
gather = next(n for n in g.node if n.op_type == 'Gather' and n.input[0] == 'distilbert.embeddings.word_embeddings.weight')
W = init[gather.input[0]]; x = W[ids[0]]; base = torch.zeros_like(x)
pts, wts = np.polynomial.legendre.leggauss(B); alphas = torch.tensor((pts + 1) / 2, dtype=torch.float32); weights = torch.tensor(wts / 2, dtype=torch.float32)
with torch.no_grad(): logits1 = run({'input_ids': ids, 'attention_mask': mask})
def fwd50():
    with torch.no_grad(): return run(feeds)
def lig50():
    e = (base + alphas[:, None, None] * (x - base)).requires_grad_(True)
    out = run(feeds, {gather.output[0]: e})
    gr, = torch.autograd.grad(out[:, 1].sum(), e)
    return ((gr * weights[:, None, None]).sum(0) * (x - base)).sum(-1)
def best(f):
    ts = []
    for _ in range(reps): t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)
fwd50(); lig50()
attr = lig50()
print(json.dumps({'threads': threads, 'logits_check': [round(v, 5) for v in logits1[0].tolist()], 'want': s['logits_float32'][0],
                  'forward50_s': round(best(fwd50), 3), 'lig50_s': round(best(lig50), 3), 'attr_sum': float(attr.sum())}))
