#!/usr/bin/env python3
"""Reference numbers for the `layer` option (word, position, token-type, embeddings):
test/fixtures/layer_refs.json.

Development script only (not part of the library or of the tests). It needs PyTorch 1.13, numpy
and the `onnx` Python package (Debian: python3-torch python3-numpy python3-onnx; run with
/usr/bin/python3). Captum is not needed (nor available here): its LayerIntegratedGradients is
reproduced on the fixtures' ONNX graphs, evaluated in float64 with PyTorch eager ops and
differentiated with torch.autograd (the evaluator of bench/torch_onnx_lig.py, with the few ops
more that GPT-2 and RoBERTa need):
  * the layer is one graph tensor (named below by hand from the ONNX node names, not found by
    Glassbox's structural search, which the tests then check);
  * its value on the input x and on the baseline x0 (the graph run on the baseline's ids and
    segments), then for each of the 50 Gauss-Legendre points a the graph run on the input with
    the layer replaced by x0 + a (x - x0); the gradients of the target score w.r.t. that
    tensor, weighted by the points' weights, summed, times (x - x0), summed over the hidden axis:
    Captum 0.8's LayerIntegratedGradients (method 'gausslegendre', n_steps 50);
  * convergence delta: sum of attributions - (f(input) - f(baseline)), f(baseline) the graph run
    on the baseline's ids and segments (Captum's, for layer methods).

Two conventions per model, input, layer:
  * "captum": the target class's logit; the model's own token types and positions for the input;
    the baseline: the 'pad' ids (every non-special token replaced by the pad token; GPT-2: <|endoftext|>)
    with the input's segments, except position ids 0 for layer 'position' and token types 0 for
    'token-type' (transformers-interpret's ref_position_ids / ref_token_type_ids); no normalisation.
  * "transformers_interpret" (classification models): its SequenceClassificationExplainer /
    PairwiseSequenceClassificationExplainer: softmax probability of the target; its cleaned text's
    ids; its token types (0 up to the separator after the first text, 1 after) and position ids
    0..T-1, passed to BERT (not to DistilBERT, whose forward takes none, nor RoBERTa); its baseline
    ref ids with token types 0 and position ids 0 (for DistilBERT and RoBERTa, whose positions are
    computed inside the graph, the baseline of layer 'position' has position ids 0 as well); the
    per-token sums divided by their L2 norm.
GPT-2 (gpt2-tiny, text generation): the logit of the given next token at the prompt's last position;
bert-ner-tiny (token classification): one token's class logit, and distilbert-squad-tiny (question
answering): the start logit at the predicted start, the targets of the fixtures' own Captum numbers;
"captum" convention only for these three.

Usage: /usr/bin/python3 scripts/make_layer_refs.py   (writes test/fixtures/layer_refs.json)
"""
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, 'test', 'fixtures', 'models')
OUT = os.path.join(REPO, 'test', 'fixtures', 'layer_refs.json')
N_STEPS = 50

# Per model: the layer tensors, the tensor holding the position ids inside the graph (None: the
# position_ids input), the one holding the token types (None: the token_type_ids input, or none).
MODELS_SPEC = {
    'distilbert-sst2-tiny': {
        'layers': {
            'word': '/distilbert/embeddings/word_embeddings/Gather_output_0',
            'position': '/distilbert/embeddings/position_embeddings/Gather_output_0',
            'embeddings': '/distilbert/embeddings/LayerNorm/Add_1_output_0',
        },
        'positions': '/distilbert/embeddings/Slice_output_0', 'types': None, 'ti_passes_segments': False,
        'pad': 0, 'specials': {101, 102, 0},
    },
    'bert-nli-tiny': {
        'layers': {
            'word': '/bert/embeddings/word_embeddings/Gather_output_0',
            'position': '/bert/embeddings/position_embeddings/Gather_output_0',
            'token-type': '/bert/embeddings/token_type_embeddings/Gather_output_0',
            'embeddings': '/bert/embeddings/LayerNorm/Add_1_output_0',
        },
        'positions': '/bert/embeddings/Slice_output_0', 'types': None, 'ti_passes_segments': True,
        'pad': 0, 'specials': {101, 102, 0},
    },
    'roberta-sst-tiny': {
        'layers': {
            'word': '/roberta/embeddings/word_embeddings/Gather_output_0',
            'position': '/roberta/embeddings/position_embeddings/Gather_output_0',
            'token-type': '/roberta/embeddings/token_type_embeddings/Gather_output_0',
            'embeddings': '/roberta/embeddings/LayerNorm/Add_1_output_0',
        },
        'positions': '/roberta/embeddings/Add_output_0', 'types': '/roberta/Expand_output_0', 'ti_passes_segments': False,
        'pad': 1, 'specials': {0, 1, 2, 3, 50264},
    },
    'bert-ner-tiny': {
        'layers': {
            'word': '/bert/embeddings/word_embeddings/Gather_output_0',
            'position': '/bert/embeddings/position_embeddings/Gather_output_0',
            'token-type': '/bert/embeddings/token_type_embeddings/Gather_output_0',
            'embeddings': '/bert/embeddings/LayerNorm/Add_1_output_0',
        },
        'positions': '/bert/embeddings/Slice_output_0', 'types': None, 'ti_passes_segments': True,
        'pad': 0, 'specials': {101, 102, 0},
    },
    'distilbert-squad-tiny': {
        'layers': {
            'word': '/distilbert/embeddings/word_embeddings/Gather_output_0',
            'position': '/distilbert/embeddings/position_embeddings/Gather_output_0',
            'embeddings': '/distilbert/embeddings/LayerNorm/Add_1_output_0',
        },
        'positions': '/distilbert/embeddings/Slice_output_0', 'types': None, 'ti_passes_segments': False,
        'pad': 0, 'specials': {101, 102, 0},
    },
    'gpt2-tiny': {
        'layers': {
            'word': '/transformer/wte/Gather_output_0',
            'position': '/transformer/wpe/Gather_output_0',
            'embeddings': '/transformer/Add_output_0',
        },
        'positions': None, 'types': None, 'ti_passes_segments': False,
        'pad': 50256, 'specials': {50256},
    },
}

DT = {1: torch.float64, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float64, 11: torch.float64}


class Graph:
    """An ONNX graph evaluated with PyTorch eager ops in float64 (bench/torch_onnx_lig.py's evaluator)."""

    def __init__(self, path):
        self.g = onnx.load(path).graph
        self.init = {}
        for t in self.g.initializer:
            v = torch.from_numpy(numpy_helper.to_array(t).copy())
            self.init[t.name] = v.double() if v.is_floating_point() else v
        self.inputs = [i.name for i in self.g.input]

    def run(self, feeds, override=None, fetch=None):
        override = override or {}
        env = dict(self.init)
        env.update(feeds)
        attrs = lambda n: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        for n in self.g.node:
            if n.output[0] in override:
                env[n.output[0]] = override[n.output[0]]
                continue
            a = attrs(n); x = [env[i] if i else None for i in n.input]; op = n.op_type
            if op == 'Constant':
                y = torch.from_numpy(numpy_helper.to_array(a['value']).copy())
                if y.is_floating_point(): y = y.double()
            elif op == 'ConstantOfShape':
                v = numpy_helper.to_array(a['value']) if 'value' in a else np.zeros(1, np.float32)
                t = torch.from_numpy(v.copy())
                y = torch.full([int(d) for d in x[0].tolist()], v.reshape(-1)[0].item(), dtype=torch.float64 if t.is_floating_point() else t.dtype)
            elif op == 'Identity': y = x[0]
            elif op in ('Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal'):
                y = {'Add': torch.add, 'Sub': torch.sub, 'Mul': torch.mul, 'Div': torch.div, 'Pow': torch.pow, 'Equal': torch.eq}[op](x[0], x[1])
                if op == 'Div' and not x[0].is_floating_point(): y = torch.div(x[0], x[1], rounding_mode='trunc')
            elif op == 'Not': y = torch.logical_not(x[0])
            elif op == 'MatMul': y = torch.matmul(x[0], x[1])
            elif op == 'Gemm':
                A = x[0].T if a.get('transA', 0) else x[0]; B = x[1].T if a.get('transB', 0) else x[1]
                y = a.get('alpha', 1.0) * (A @ B) + (a.get('beta', 1.0) * x[2] if len(x) > 2 and x[2] is not None else 0)
            elif op == 'Unsqueeze':
                y = x[0]
                for ax in sorted(int(v) for v in (x[1].tolist() if len(x) > 1 else a['axes'])): y = y.unsqueeze(ax if ax >= 0 else ax + y.dim() + 1)
            elif op == 'Squeeze':
                axes = [int(v) for v in (x[1].tolist() if len(x) > 1 and x[1] is not None else a.get('axes', []))]
                y = x[0]
                for ax in sorted((ax if ax >= 0 else ax + y.dim() for ax in axes), reverse=True): y = y.squeeze(ax)
                if not axes: y = y.squeeze()
            elif op == 'Concat': y = torch.cat([t.reshape(-1) if t.dim() == 0 else t for t in x], dim=a['axis'])
            elif op == 'Reshape':
                shp = [int(v) for v in x[1].tolist()]; shp = [x[0].shape[i] if v == 0 else v for i, v in enumerate(shp)]; y = x[0].reshape(shp)
            elif op == 'ReduceMean': y = x[0].mean(dim=list(a['axes']), keepdim=bool(a.get('keepdims', 1)))
            elif op == 'Transpose': y = x[0].permute(*a['perm'])
            elif op == 'Shape': y = torch.tensor(list(x[0].shape), dtype=torch.int64)
            elif op == 'Gather':
                ax = a.get('axis', 0); idx = x[1].long()
                if ax < 0: ax += x[0].dim()
                idx = torch.where(idx < 0, idx + x[0].shape[ax], idx)
                y = torch.index_select(x[0], ax, idx.reshape(-1)).reshape(*x[0].shape[:ax], *idx.shape, *x[0].shape[ax + 1:]) if idx.dim() else x[0].select(ax, int(idx))
            elif op == 'Sqrt': y = torch.sqrt(x[0])
            elif op == 'Erf': y = torch.erf(x[0])
            elif op == 'Tanh': y = torch.tanh(x[0])
            elif op == 'Relu': y = torch.relu(x[0])
            elif op == 'Softmax': y = torch.softmax(x[0], dim=a.get('axis', -1))
            elif op == 'Cast': y = x[0].to(DT[a['to']])
            elif op == 'CumSum':
                y = torch.cumsum(x[0], dim=int(x[1])).to(x[0].dtype)
            elif op == 'Where': y = torch.where(x[0], x[1], x[2])
            elif op == 'Expand':
                shp = [int(v) for v in x[1].tolist()]
                y = x[0] * torch.ones(shp, dtype=x[0].dtype) if x[0].is_floating_point() else x[0].expand(torch.broadcast_shapes(x[0].shape, shp))
            elif op == 'Split':
                ax = a.get('axis', 0)
                sizes = [int(v) for v in x[1].tolist()] if len(x) > 1 and x[1] is not None else a['split']
                ys = torch.split(x[0], sizes, dim=ax)
                for o, v in zip(n.output, ys): env[o] = v
                continue
            elif op == 'Slice':
                y = x[0]
                starts, ends = x[1].tolist(), x[2].tolist()
                axes = x[3].tolist() if len(x) > 3 and x[3] is not None else list(range(len(starts)))
                steps = x[4].tolist() if len(x) > 4 and x[4] is not None else [1] * len(starts)
                for st, en, ax, sp in zip(starts, ends, axes, steps):
                    if sp != 1: raise SystemExit('Slice with a step')
                    if ax < 0: ax += y.dim()
                    d = y.shape[ax]; st = max(0, min(d, st + d if st < 0 else st)); en = max(0, min(d, en + d if en < 0 else en))
                    y = y.narrow(ax, st, max(0, en - st))
            else: raise SystemExit('op ' + op)
            env[n.output[0]] = y
        return {k: env[k] for k in (fetch or [o.name for o in self.g.output])}


def feeds_of(graph, ids, types=None, positions=None):
    """The graph's inputs for one row: ids, attention mask of ones, token types, position ids, empty past."""
    T = len(ids)
    f = {}
    for inp in graph.g.input:
        name = inp.name
        if name == 'input_ids': f[name] = torch.tensor([ids], dtype=torch.int64)
        elif name == 'attention_mask': f[name] = torch.ones(1, T, dtype=torch.int64)
        elif name == 'token_type_ids': f[name] = torch.tensor([types or [0] * T], dtype=torch.int64)
        elif name == 'position_ids': f[name] = torch.tensor([positions or list(range(T))], dtype=torch.int64)
        elif name.startswith('past_key_values'):
            dims = [d.dim_value if d.dim_value else 0 for d in inp.type.tensor_type.shape.dim]
            dims[0] = 1
            f[name] = torch.zeros(dims, dtype=torch.float64)
    return f


class Run:
    """One row's inputs: ids with segments, set where the graph takes them or inside it (override)."""

    def __init__(self, graph, spec, ids, types=None, positions=None):
        self.graph, self.ids = graph, ids
        self.feeds = feeds_of(graph, ids, types, positions)
        self.override = {}
        if positions is not None and spec['positions']:
            self.override[spec['positions']] = torch.tensor([positions], dtype=torch.int64)
        if types is not None and spec['types'] and max(types) < 1:
            self.override[spec['types']] = torch.tensor([types], dtype=torch.int64)

    def value(self, name):
        with torch.no_grad():
            return self.graph.run(self.feeds, self.override, [name])[name]

    def logits(self, layer=None, value=None):
        o = dict(self.override)
        if layer is not None: o[layer] = value
        return self.graph.run(self.feeds, o)[self.graph.g.output[0].name]


def lig(inp, base, layer, score):
    """Captum's LayerIntegratedGradients (gausslegendre, 50 points) at `layer`: per-token sums, delta."""
    x = inp.value(layer)
    x0 = base.value(layer)
    pts, wts = np.polynomial.legendre.leggauss(N_STEPS)
    alphas, weights = (pts + 1) / 2, wts / 2
    total = torch.zeros_like(x)
    for a, w in zip(alphas, weights):
        e = (x0 + a * (x - x0)).detach().requires_grad_(True)
        s = score(inp.logits(layer, e))
        g, = torch.autograd.grad(s, e)
        total += w * g
    attr = (total * (x - x0)).sum(-1)[0]
    with torch.no_grad():
        fx, fb = float(score(inp.logits())), float(score(base.logits()))
    per_token = attr.tolist()
    return per_token, sum(per_token) - (fx - fb)


def layers_for(spec):
    return list(spec['layers'].items())


def classification_refs(name, spec):
    graph = Graph(os.path.join(MODELS, name, 'onnx', 'model.onnx'))
    refs = json.load(open(os.path.join(MODELS, name, 'refs.json')))
    out = []
    for inp in refs['inputs'][:2]:
        target = inp['predicted_index']
        ids = inp['input_ids']
        T = len(ids)
        own_types = inp.get('token_type_ids')
        base_ids = [i if i in spec['specials'] else spec['pad'] for i in ids]
        logit = lambda z: z[0, target]
        entry = {'id': inp['id'], 'target': target, 'input_ids': ids, 'layers': {}}
        for layer, tensor in layers_for(spec):
            x = Run(graph, spec, ids, own_types)
            b = Run(graph, spec, base_ids, [0] * T if layer == 'token-type' else own_types, [0] * T if layer == 'position' else None)
            per_token, delta = lig(x, b, tensor, logit)
            entry['layers'][layer] = {'captum': {'per_token_sum': per_token, 'convergence_delta': delta}}
        ti = next((t for t in inp.get('transformers_interpret', []) if int(t['index']) == target), None)
        if ti is not None:
            ti_ids, ref_ids = [int(v) for v in ti['input_ids']], [int(v) for v in ti['ref_input_ids']]
            Tt = len(ti_ids)
            sep_idx = ti_ids.index(spec_sep(name)) if 'premise' in inp else Tt - 2
            ti_types = [0 if i <= sep_idx else 1 for i in range(Tt)]
            prob = lambda z: torch.softmax(z, dim=-1)[0, target]
            entry['ti_input_ids'] = ti_ids
            for layer, tensor in layers_for(spec):
                if spec['ti_passes_segments']:
                    x = Run(graph, spec, ti_ids, ti_types, list(range(Tt)))
                    b = Run(graph, spec, ref_ids, [0] * Tt, [0] * Tt)
                else:
                    x = Run(graph, spec, ti_ids)
                    b = Run(graph, spec, ref_ids, [0] * Tt if layer == 'token-type' else None, [0] * Tt if layer == 'position' else None)
                per_token, delta = lig(x, b, tensor, prob)
                norm = float(np.linalg.norm(per_token))
                entry['layers'][layer]['transformers_interpret'] = {
                    'word_attributions': [v / norm if norm > 0 else v for v in per_token],
                    'per_token_sum': per_token,
                    'convergence_delta': delta,
                }
        check_against_peer(name, inp, entry)
        out.append(entry)
    return out


def check_against_peer(name, inp, entry):
    """The 'word' layer against the fixture's own Captum / transformers-interpret numbers (a check of this script)."""
    word = entry['layers']['word']
    peer = next(a for a in inp['attributions'] if a['target']['class_index'] == entry['target'])['ig_pad_gausslegendre']
    d = max(abs(u - v) for u, v in zip(word['captum']['per_token_sum'], peer['per_token_sum']))
    dd = abs(word['captum']['convergence_delta'] - peer['convergence_delta'])
    line = f'{name} {inp["id"]}: word vs Captum ig_pad_gausslegendre max diff {d:.2e}, delta diff {dd:.2e}'
    if 'transformers_interpret' in word:
        ti = next(t for t in inp['transformers_interpret'] if int(t['index']) == entry['target'])
        wa = [float(w[1]) for w in ti['word_attributions']]
        d2 = max(abs(u - v) for u, v in zip(word['transformers_interpret']['word_attributions'], wa))
        dd2 = abs(word['transformers_interpret']['convergence_delta'] - float(ti['convergence_delta']))
        line += f'; vs transformers-interpret max diff {d2:.2e}, delta diff {dd2:.2e}'
    print(line, flush=True)


def spec_sep(name):
    return 2 if name.startswith('roberta') else 102


def fixed_target_refs(name, spec):
    """Token classification (one token's class logit) and question answering (the start logit at the
    predicted start), the target each fixture's own Captum numbers use: "captum" convention only."""
    graph = Graph(os.path.join(MODELS, name, 'onnx', 'model.onnx'))
    refs = json.load(open(os.path.join(MODELS, name, 'refs.json')))
    out = []
    for inp in refs['inputs'][:2]:
        ids = inp['input_ids']
        T = len(ids)
        own_types = inp.get('token_type_ids') if 'token_type_ids' in graph.inputs else None
        base_ids = [i if i in spec['specials'] else spec['pad'] for i in ids]
        peer = inp['attributions'][0]
        t = peer['target']
        if 'token_index' in t:
            score = lambda z, p=t['token_index'], c=t['class_index']: z[0, p, c]
        else:
            score = lambda z, p=t['position']: z[0, p]
        entry = {'id': inp['id'], 'target': t, 'input_ids': ids, 'layers': {}}
        for layer, tensor in layers_for(spec):
            x = Run(graph, spec, ids, own_types)
            b = Run(graph, spec, base_ids, [0] * T if layer == 'token-type' else own_types, [0] * T if layer == 'position' else None)
            per_token, delta = lig(x, b, tensor, score)
            entry['layers'][layer] = {'captum': {'per_token_sum': per_token, 'convergence_delta': delta}}
        word = entry['layers']['word']['captum']
        d = max(abs(u - v) for u, v in zip(word['per_token_sum'], peer['ig_pad_gausslegendre']['per_token_sum']))
        print(f'{name} {inp["id"]}: word vs Captum ig_pad_gausslegendre max diff {d:.2e}, delta diff {abs(word["convergence_delta"] - peer["ig_pad_gausslegendre"]["convergence_delta"]):.2e}', flush=True)
        out.append(entry)
    return out


def generation_refs(spec):
    name = 'gpt2-tiny'
    graph = Graph(os.path.join(MODELS, name, 'onnx', 'model.onnx'))
    refs = json.load(open(os.path.join(MODELS, name, 'refs.json')))
    out = []
    for inp in refs['inputs'][:2]:
        ids = inp['input_ids']
        T = len(ids)
        nxt = inp['next_token_top10'][0]['token_id']
        base_ids = [spec['pad']] * T
        logit = lambda z: z[0, T - 1, nxt]
        entry = {'id': inp['id'], 'text': inp['text'], 'input_ids': ids, 'next_token': nxt, 'layers': {}}
        for layer, tensor in layers_for(spec):
            x = Run(graph, spec, ids)
            b = Run(graph, spec, base_ids, None, [0] * T if layer == 'position' else None)
            per_token, delta = lig(x, b, tensor, logit)
            entry['layers'][layer] = {'captum': {'per_token_sum': per_token, 'convergence_delta': delta}}
        out.append(entry)
    return out


def main():
    torch.set_num_threads(1)
    result = {
        'generated_by': 'scripts/make_layer_refs.py',
        'method': "Captum 0.8 LayerIntegratedGradients reproduced on the ONNX graphs (float64 torch eager + autograd), gausslegendre, n_steps 50",
        'models': {},
    }
    for name, spec in MODELS_SPEC.items():
        result['models'][name] = {
            'layer_tensors': spec['layers'],
            'inputs': generation_refs(spec) if name == 'gpt2-tiny' else fixed_target_refs(name, spec) if name in ('bert-ner-tiny', 'distilbert-squad-tiny') else classification_refs(name, spec),
        }
        print(name, 'done', flush=True)
    with open(OUT, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
