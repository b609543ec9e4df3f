#!/usr/bin/env python3
"""Reference numbers for interpreto's Deletion and Insertion on text generation:
test/fixtures/generation_metric_refs.json.

Development script only (not part of the library or of the tests). It needs PyTorch 1.13 and
numpy (run with /usr/bin/python3); neither transformers, safetensors, onnx nor interpreto:
  * gpt2-tiny is rebuilt from its model.safetensors (read by hand: 8-byte header length, JSON
    header, little-endian float32 data) as a plain PyTorch GPT-2 (learned positions, pre-LN
    blocks, gelu_new, causal attention, tied LM head), in float32 as interpreto runs it; it is
    checked against the fixture's refs.json (greedy continuations, next-token logits,
    occlusion logit drops) before anything is written;
  * the metric is interpreto v0.5.0's, its code paths written out with the same torch calls:
    GenerationInsertionDeletionBase.perturbation_generator (for generated token j, the input
    is prompt + generated[:j + 1], the attributions its row cut there), the attribution matrix
    with NaN from each token's own position on (GenerationAttributionExplainer.post_processing:
    torch.triu(ones(t, l), diagonal=l - t)), InsertionDeletionPerturbator.get_mask
    (torch.argsort(descending=True), which puts NaN first; ceil(n * max_percentage_perturbed);
    p = min(n_perturbations, n) + 1; torch.linspace(0, n, p); mask[i, idx[:int(step)]]),
    apply_mask (ids * (1 - mask) + replace_token_id * mask), the score
    GenerationInferenceWrapper._target_logits in InferenceModes.SOFTMAX (softmax over the
    vocabulary, the logits at position -2, i.e. of token j given the tokens before it), and
    InsertionDeletionBase.aggregate (torch.trapezoid(scores) / (p - 1) per token, the mean
    over a sample's tokens);
  * one difference from interpreto, on purpose: removed tokens become <|endoftext|> (50256,
    Glassbox's 'pad' masking for GPT-2, which has no pad token). interpreto, finding no mask
    token, adds a new "[REPLACE]" token and resizes the embeddings (a new, freshly initialised
    row), which an exported ONNX model cannot have.

Cases: the fixture's prompts with the continuation given or greedy, attributed by occlusion
(each earlier token replaced by <|endoftext|>, the drop of the token's logit: Glassbox's
default occlusion for generation, and refs.json's occlusion_eos) or by a seeded random matrix.

Usage: /usr/bin/python3 scripts/make_generation_metric_refs.py   (writes test/fixtures/generation_metric_refs.json)
"""
import json
import math
import os
import struct

import numpy as np
import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, 'test', 'fixtures', 'models', 'gpt2-tiny')
SHARED_WEIGHTS = '/work/shared/fixtures/models/gpt2-tiny/model.safetensors'
OUT = os.path.join(REPO, 'test', 'fixtures', 'generation_metric_refs.json')
EOS = 50256


def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, spec in header.items():
        if name == '__metadata__':
            continue
        assert spec['dtype'] == 'F32', spec
        a, b = spec['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype='<f4').copy().reshape(spec['shape']))
    return out


class Gpt2:
    def __init__(self, w, config):
        self.w = w
        self.layers = config['n_layer']
        self.heads = config['n_head']
        self.eps = config['layer_norm_epsilon']

    def ln(self, x, name):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[name + '.weight'], self.w[name + '.bias'], self.eps)

    def logits(self, ids):
        """ids: LongTensor [B, T] -> logits [B, T, V] (float32, attention mask all ones)."""
        w = self.w
        B, T = ids.shape
        h = w['transformer.wte.weight'][ids] + w['transformer.wpe.weight'][torch.arange(T)][None]
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        for l in range(self.layers):
            p = f'transformer.h.{l}.'
            a = self.ln(h, p + 'ln_1')
            qkv = a @ w[p + 'attn.c_attn.weight'] + w[p + 'attn.c_attn.bias']
            H = h.shape[-1]
            q, k, v = qkv.split(H, dim=-1)
            d = H // self.heads
            split = lambda t: t.view(B, T, self.heads, d).transpose(1, 2)
            q, k, v = split(q), split(k), split(v)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
            s = torch.where(causal, s, torch.tensor(torch.finfo(s.dtype).min, dtype=s.dtype))
            o = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, H)
            h = h + o @ w[p + 'attn.c_proj.weight'] + w[p + 'attn.c_proj.bias']
            m = self.ln(h, p + 'ln_2') @ w[p + 'mlp.c_fc.weight'] + w[p + 'mlp.c_fc.bias']
            m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * torch.pow(m, 3.0))))
            h = h + m @ w[p + 'mlp.c_proj.weight'] + w[p + 'mlp.c_proj.bias']
        h = self.ln(h, 'transformer.ln_f')
        return h @ w['transformer.wte.weight'].T

    def greedy(self, ids, n):
        ids = list(ids)
        out = []
        for _ in range(n):
            z = self.logits(torch.tensor([ids]))[0, -1]
            t = int(torch.argmax(z))
            out.append(t)
            ids.append(t)
            if t == EOS:
                break
        return out


def occlusion_matrix(model, prompt, generated):
    """[t, l]: row j, column p < P + j: logit of token j minus its logit with token p replaced by <|endoftext|>; NaN after."""
    all_ids = prompt + generated
    t, l = len(generated), len(all_ids)
    m = torch.full((t, l), float('nan'), dtype=torch.float64)
    for j in range(t):
        end = len(prompt) + j
        base = model.logits(torch.tensor([all_ids[:end]]))[0, -1, all_ids[end]].double()
        rows = []
        for p in range(end):
            ids = list(all_ids[:end])
            ids[p] = EOS
            rows.append(ids)
        z = model.logits(torch.tensor(rows))[:, -1, all_ids[end]].double()
        m[j, :end] = base - z
    return m


def post_processing(contribution):
    """interpreto's GenerationAttributionExplainer.post_processing: NaN from each token's own position on."""
    contribution = contribution.clone()
    t, l = contribution.shape
    mask = torch.triu(torch.ones((t, l), dtype=torch.bool), diagonal=l - t)
    contribution[mask] = float('nan')
    return contribution


def get_mask(kind, mask_dim, attributions, n_perturbations, max_percentage_perturbed):
    """interpreto's InsertionDeletionPerturbator.get_mask, for one target."""
    attributions = attributions.unsqueeze(0)
    most_important_idx = torch.argsort(attributions, descending=True)
    num_elements_to_perturb = math.ceil(mask_dim * max_percentage_perturbed)
    p = min(n_perturbations, num_elements_to_perturb) + 1
    mask = torch.zeros((p, mask_dim)) if kind == 'deletion' else torch.ones((p, mask_dim))
    steps = torch.linspace(0, num_elements_to_perturb, p)
    fill_value = int(1 - mask[0, 0])
    for i, step in enumerate(steps):
        mask[i, most_important_idx[0, : int(step)]] = fill_value
    return mask


def metric(kind, model, prompt, generated, matrix, n_perturbations=100, max_percentage_perturbed=1.0):
    """interpreto's generation Insertion / Deletion of one sample: (auc, per-token curves, per-token aucs, per-token counts)."""
    attributions = post_processing(matrix)
    all_ids = torch.tensor([prompt + generated])
    P = len(prompt)
    curves, aucs, counts = [], [], []
    for j, attrib in enumerate(attributions):
        n = P + j + 1
        inputs = all_ids[:, :n]
        mask = get_mask(kind, n, attrib[:n].float(), n_perturbations, max_percentage_perturbed)
        replace = torch.tensor([EOS])
        perturbed = (inputs.T.unsqueeze(-3) * (1 - mask).unsqueeze(-1) + replace * mask.unsqueeze(-1)).squeeze(-1).to(torch.long)
        logits = model.logits(perturbed)
        probs = torch.softmax(logits, dim=-1)
        target = all_ids[0, n - 1]
        scores = probs[:, -2, target].double()
        curves.append(scores.tolist())
        aucs.append(torch.trapezoid(scores, dim=0).item() / (scores.shape[0] - 1))
        counts.append([int(s) for s in torch.linspace(0, math.ceil(n * max_percentage_perturbed), mask.shape[0])])
    return sum(aucs) / len(aucs), curves, aucs, counts


def nan_to_none(m):
    return [[None if math.isnan(v) else v for v in row] for row in m.tolist()]


def main():
    config = json.load(open(os.path.join(MODEL, 'config.json')))
    refs = json.load(open(os.path.join(MODEL, 'refs.json')))
    path = os.path.join(MODEL, 'model.safetensors')
    model = Gpt2(load_safetensors(path if os.path.exists(path) else SHARED_WEIGHTS), config)
    inputs = {i['id']: i for i in refs['inputs']}

    # The model checks: greedy continuations, next-token logits, occlusion drops of refs.json.
    with torch.no_grad():
        for inp in refs['inputs']:
            assert model.greedy(inp['input_ids'], 8) == inp['greedy_continuation_8_tokens_float32'], inp['id']
            z = model.logits(torch.tensor([inp['input_ids']]))[0, -1]
            for top in inp['next_token_top10']:
                assert abs(z[top['token_id']].item() - top['logit']) < 1e-4, (inp['id'], top)
            for entry in inp['attributions']:
                occ = occlusion_matrix(model, inp['input_ids'], [entry['target']['token_id']])
                np.testing.assert_allclose(occ[0, :-1].numpy(), entry['occlusion_eos']['logit_drop'], atol=1e-4)

        cases = []
        gen = torch.Generator().manual_seed(2024)
        specs = [
            ('short-greedy-occlusion', 'short', None, 3, 'occlusion', [100, 3]),
            ('fox-given-random', 'fox', [4527, 290, 3290], None, 'random', [100, 4]),
            ('long-greedy-occlusion', 'long', None, 2, 'occlusion', [100, 10]),
        ]
        for name, inp_id, given, n_new, attribution, steps_list in specs:
            prompt = inputs[inp_id]['input_ids']
            generated = given if given is not None else model.greedy(prompt, n_new)
            if attribution == 'occlusion':
                matrix = occlusion_matrix(model, prompt, generated)
            else:
                matrix = torch.randn((len(generated), len(prompt) + len(generated)), generator=gen, dtype=torch.float64)
            matrix = post_processing(matrix)
            case = {'id': name, 'prompt_ids': prompt, 'generated_ids': generated, 'attribution': attribution,
                    'matrix': nan_to_none(matrix), 'metrics': []}
            for steps in steps_list:
                for kind in ('deletion', 'insertion'):
                    auc, curves, aucs, counts = metric(kind, model, prompt, generated, matrix, n_perturbations=steps)
                    case['metrics'].append({'kind': kind, 'steps': steps, 'auc': auc, 'token_aucs': aucs,
                                            'curves': curves, 'counts': counts})
            cases.append(case)

    out = {
        'description': "interpreto v0.5.0's generation Deletion / Insertion (GenerationInsertionDeletionBase) on gpt2-tiny, "
                       'removed tokens replaced by <|endoftext|> (50256); plain PyTorch float32 GPT-2 from model.safetensors; '
                       'matrix: [generated][prompt + generated], null from each token\'s own position on (interpreto: NaN). '
                       'Written by scripts/make_generation_metric_refs.py.',
        'torch': torch.__version__,
        'replace_token_id': EOS,
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('wrote', OUT, [(c['id'], [(m['kind'], m['steps'], round(m['auc'], 8)) for m in c['metrics']]) for c in cases])


if __name__ == '__main__':
    main()
