#!/usr/bin/env python3
"""Build the tiny RoBERTa sequence-classification fixture test/fixtures/models/roberta-sst-tiny/.

Development script only (not part of the library or of the tests). It needs:
  * PyTorch 1.13 and numpy (Debian: apt-get install python3-torch python3-numpy; run with /usr/bin/python3),
  * optionally the `onnx` Python package (Debian python3-onnx) to list the graph's op types
    (a minimal protobuf walker is used otherwise),
  * Node.js with the repository's pnpm install, for tokenization with @huggingface/transformers
    (transformers.js) and for the onnxruntime-node check.

No `transformers`, `captum` or `transformers-interpret` package is needed (or available here):
  * RobertaForSequenceClassification is re-implemented in pure PyTorch, faithfully to HF transformers 4.30
    (same module / parameter names, so the ONNX node and initializer names are the ones an HF export gives);
  * Captum 0.8.0's IntegratedGradients / LayerIntegratedGradients / Saliency / InputXGradient and
    transformers-interpret 0.10.0's SequenceClassificationExplainer are reproduced by hand (same integration
    points and weights, same arithmetic order).

Outputs (in the fixture folder): config.json, tokenizer.json, tokenizer_config.json (copied from the shared
roberta-base tokenizer), onnx/model.onnx (opset 14) and refs.json.

Usage:
  /usr/bin/python3 scripts/make_roberta_fixture.py [--tokens-json FILE] [--save-tokens FILE] [--skip-ort]
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(REPO, "test", "fixtures", "models")
NAME = "roberta-sst-tiny"
OUT_DIR = os.path.join(MODELS_DIR, NAME)
SHARED_TOKENIZER = "/work/shared/fixtures/tokenizers/roberta-base"
SHARED_SCHEMES = "/work/shared/fixtures/integration_schemes.json"
CORE_PKG = os.path.join(REPO, "packages", "core")

SEED = 11
N_STEPS = 50
OPSET = 14

CONFIG = {
    "architectures": ["RobertaForSequenceClassification"],
    "attention_probs_dropout_prob": 0.1,
    "bos_token_id": 0,
    "classifier_dropout": None,
    "eos_token_id": 2,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 8,
    "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
    "initializer_range": 0.5,
    "intermediate_size": 32,
    "label2id": {"NEGATIVE": 0, "POSITIVE": 1},
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 514,
    "model_type": "roberta",
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "pad_token_id": 1,
    "position_embedding_type": "absolute",
    "torch_dtype": "float32",
    "transformers_version": "4.30.2",
    "type_vocab_size": 1,
    "use_cache": True,
    "vocab_size": 50265,
}

PAD_ID = 1
MASK_ID = 50264
BOS_ID = 0
EOS_ID = 2

INPUTS = [
    ("short", "I love this movie."),
    ("long", "The plot was thin, but the acting (especially the lead's) was superb!"),
    ("wordpieces", "Unbelievably boring"),
]


def ti_clean_text(text):
    """transformers-interpret 0.10.0 BaseExplainer._clean_text."""
    text = re.sub("([.,!?()])", r" \1 ", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text


# ----------------------------------------------------------------------------------------------
# Tokenization with transformers.js (Python has no access to the HF tokenizer here)
# ----------------------------------------------------------------------------------------------

TOKENIZE_JS = r"""
import { AutoTokenizer, env } from '@huggingface/transformers';
env.localModelPath = process.env.GB_MODELS_DIR;
env.allowRemoteModels = false;
const tok = await AutoTokenizer.from_pretrained(process.env.GB_MODEL_NAME);
const texts = JSON.parse(process.env.GB_TEXTS);
const out = { tokenizer_class: tok.constructor.name, all_special_ids: tok.all_special_ids,
  pad_token_id: tok.pad_token_id, mask_token_id: tok.mask_token_id, texts: {} };
for (const t of texts) {
  const enc = tok(t);
  const ids = Array.from(enc.input_ids.data, Number);
  out.texts[t] = {
    input_ids: ids,
    attention_mask: Array.from(enc.attention_mask.data, Number),
    ids_no_special: tok.encode(t, { add_special_tokens: false }),
    tokens: ids.map((i) => tok._tokenizer.id_to_token(i)),
    special_tokens_mask: ids.map((i) => (tok.all_special_ids.includes(i) ? 1 : 0)),
  };
}
console.log(JSON.stringify(out));
"""


def tokenize_all(texts):
    env = dict(os.environ)
    env["GB_MODELS_DIR"] = MODELS_DIR + "/"
    env["GB_MODEL_NAME"] = NAME
    env["GB_TEXTS"] = json.dumps(texts)
    res = subprocess.run(
        ["node", "--input-type=module", "-e", TOKENIZE_JS],
        cwd=CORE_PKG, env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------------------------
# Pure-PyTorch RobertaForSequenceClassification (HF transformers 4.30 semantics, eval mode)
# ----------------------------------------------------------------------------------------------


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    # HF modeling_roberta.create_position_ids_from_input_ids
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


class RobertaEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(
            c["max_position_embeddings"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.register_buffer(
            "position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)), persistent=False)
        self.register_buffer(
            "token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long), persistent=False)
        self.padding_idx = c["pad_token_id"]

    def forward(self, input_ids, token_type_ids=None, position_ids=None, word_embeds=None):
        # `word_embeds` replaces the output of word_embeddings(input_ids) (what a Captum layer hook on
        # roberta.embeddings.word_embeddings does); position ids are still derived from the real input_ids.
        if position_ids is None:
            position_ids = create_position_ids_from_input_ids(input_ids, self.padding_idx, 0)
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        if token_type_ids is None:
            buffered_token_type_ids = self.token_type_ids[:, :seq_length]
            token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
        inputs_embeds = self.word_embeddings(input_ids) if word_embeds is None else word_embeds
        token_type_embeddings = self.token_type_embeddings(token_type_ids)
        embeddings = inputs_embeds + token_type_embeddings
        position_embeddings = self.position_embeddings(position_ids)
        embeddings = embeddings + position_embeddings
        embeddings = self.LayerNorm(embeddings)
        embeddings = self.dropout(embeddings)
        return embeddings


class RobertaSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c["num_attention_heads"]
        self.attention_head_size = c["hidden_size"] // c["num_attention_heads"]
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c["hidden_size"], self.all_head_size)
        self.key = nn.Linear(c["hidden_size"], self.all_head_size)
        self.value = nn.Linear(c["hidden_size"], self.all_head_size)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None):
        mixed_query_layer = self.query(hidden_states)
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        query_layer = self.transpose_for_scores(mixed_query_layer)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs_d = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs_d, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        context_layer = context_layer.view(new_context_layer_shape)
        return context_layer, attention_probs


class RobertaSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


class RobertaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = RobertaSelfAttention(c)
        self.output = RobertaSelfOutput(c)

    def forward(self, hidden_states, attention_mask=None):
        self_out, probs = self.self(hidden_states, attention_mask)
        return self.output(self_out, hidden_states), probs


class RobertaIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, hidden_states):
        # hidden_act "gelu" -> HF GELUActivation -> exact (erf) GELU
        return nn.functional.gelu(self.dense(hidden_states))


class RobertaOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


class RobertaLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = RobertaAttention(c)
        self.intermediate = RobertaIntermediate(c)
        self.output = RobertaOutput(c)

    def forward(self, hidden_states, attention_mask=None):
        attention_output, probs = self.attention(hidden_states, attention_mask)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output), probs


class RobertaEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([RobertaLayer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, hidden_states, attention_mask=None):
        all_probs = []
        for layer_module in self.layer:
            hidden_states, probs = layer_module(hidden_states, attention_mask)
            all_probs.append(probs)
        return hidden_states, all_probs


class RobertaModel(nn.Module):
    """HF RobertaModel(config, add_pooling_layer=False)."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = RobertaEmbeddings(c)
        self.encoder = RobertaEncoder(c)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None, word_embeds=None):
        input_shape = input_ids.size()
        batch_size, seq_length = input_shape
        if attention_mask is None:
            attention_mask = torch.ones((batch_size, seq_length), device=input_ids.device)
        if token_type_ids is None:
            buffered_token_type_ids = self.embeddings.token_type_ids[:, :seq_length]
            token_type_ids = buffered_token_type_ids.expand(batch_size, seq_length)
        dtype = self.embeddings.word_embeddings.weight.dtype
        # ModuleUtilsMixin.get_extended_attention_mask
        extended_attention_mask = attention_mask[:, None, None, :]
        extended_attention_mask = extended_attention_mask.to(dtype=dtype)
        extended_attention_mask = (1.0 - extended_attention_mask) * torch.finfo(dtype).min
        embedding_output = self.embeddings(
            input_ids=input_ids, position_ids=position_ids, token_type_ids=token_type_ids, word_embeds=word_embeds)
        return self.encoder(embedding_output, extended_attention_mask)


class RobertaClassificationHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.out_proj = nn.Linear(c["hidden_size"], len(c["id2label"]))

    def forward(self, features):
        x = features[:, 0, :]  # take <s> token (equiv. to [CLS])
        x = self.dropout(x)
        x = self.dense(x)
        x = torch.tanh(x)
        x = self.dropout(x)
        return self.out_proj(x)


class RobertaForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.roberta = RobertaModel(c)
        self.classifier = RobertaClassificationHead(c)
        self.return_attentions = False

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None, word_embeds=None):
        sequence_output, probs = self.roberta(
            input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
            position_ids=position_ids, word_embeds=word_embeds)
        logits = self.classifier(sequence_output)
        if self.return_attentions:
            return logits, probs
        return logits


def init_weights(model, c):
    """Random init: normal(0, initializer_range) for Linear/Embedding weights (as HF _init_weights, padding rows
    zeroed), plus small random Linear biases and perturbed LayerNorm parameters so that those parameters matter."""
    g = torch.Generator().manual_seed(SEED)  # torch.manual_seed(SEED) is also set globally below
    std = c["initializer_range"]
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * std)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.Embedding):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * std)
                if m.padding_idx is not None:
                    m.weight[m.padding_idx].zero_()
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1.0 + torch.randn(m.weight.shape, generator=g) * 0.1)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)


# ----------------------------------------------------------------------------------------------
# Captum-equivalent attribution helpers
# ----------------------------------------------------------------------------------------------


def captum_scheme(method, n=N_STEPS):
    """(alphas, step_sizes) exactly as Captum 0.8.0 approximation_parameters builds them (python floats)."""
    if method == "gausslegendre":
        x, w = np.polynomial.legendre.leggauss(n)
        return list(0.5 * (1 + x)), list(0.5 * w)
    if method == "riemann_trapezoid":
        deltas = [1 / n] * n
        deltas[0] /= 2
        deltas[-1] /= 2
        return torch.linspace(0, 1, n).tolist(), deltas
    raise ValueError(method)


def check_schemes_against_shared():
    if not os.path.exists(SHARED_SCHEMES):
        return "shared integration_schemes.json not found; not checked"
    ref = json.load(open(SHARED_SCHEMES))
    worst = 0.0
    for meth in ("gausslegendre", "riemann_trapezoid"):
        a, w = captum_scheme(meth)
        worst = max(worst, max(abs(p - q) for p, q in zip(a, ref[meth]["alphas"])))
        worst = max(worst, max(abs(p - q) for p, q in zip(w, ref[meth]["weights"])))
    assert worst < 1e-15, worst
    return "identical to /work/shared/fixtures/integration_schemes.json (max diff %.1e)" % worst


def integrate(fwd, x, b, method, extra=None):
    """Captum IntegratedGradients._attribute on one example, x/b: [1, T, H].
    fwd(batch_x) -> [B] target values.  Returns attributions [1, T, H] (float)."""
    alphas, step_sizes = captum_scheme(method)
    scaled = torch.cat([b + alpha * (x - b) for alpha in alphas], dim=0).requires_grad_()
    out = fwd(scaled)
    grads = torch.autograd.grad(torch.unbind(out), scaled)[0]
    n = len(alphas)
    # torch.tensor(step_sizes) is float32 in Captum (default dtype), as here
    scaled_grads = grads.contiguous().view(n, -1) * torch.tensor(step_sizes).view(n, 1).to(grads.device)
    total_grads = scaled_grads.reshape((n, 1) + tuple(grads.shape[1:])).sum(0)
    return total_grads * (x - b)


def r12(v):
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return [r12(u) for u in v]
    if isinstance(v, torch.Tensor):
        return r12(v.tolist())
    if isinstance(v, (np.floating, np.integer)):
        v = v.item()
    if isinstance(v, float):
        if v == 0:
            return 0.0
        return float("%.12g" % v)
    return v


# ----------------------------------------------------------------------------------------------
# ONNX graph inspection (onnx package if present, else a tiny protobuf walker)
# ----------------------------------------------------------------------------------------------


def _pb_fields(buf):
    i, n = 0, len(buf)

    def varint():
        nonlocal i
        shift = res = 0
        while True:
            b = buf[i]
            i += 1
            res |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return res
    while i < n:
        key = varint()
        fno, wt = key >> 3, key & 7
        if wt == 0:
            yield fno, varint()
        elif wt == 1:
            yield fno, buf[i:i + 8]
            i += 8
        elif wt == 2:
            ln = varint()
            yield fno, buf[i:i + ln]
            i += ln
        elif wt == 5:
            yield fno, buf[i:i + 4]
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)


def inspect_onnx(path):
    """-> (opset, op_types Counter, nodes [(name, op_type, inputs, outputs)], initializer names)."""
    try:
        import onnx  # noqa
        m = onnx.load(path)
        opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
        nodes = [(nd.name, nd.op_type, list(nd.input), list(nd.output)) for nd in m.graph.node]
        inits = [t.name for t in m.graph.initializer]
        return opset, Counter(nd[1] for nd in nodes), nodes, inits, "onnx %s" % onnx.__version__
    except ImportError:
        pass
    buf = open(path, "rb").read()
    opset, graph = None, None
    for f, v in _pb_fields(buf):
        if f == 8:  # opset_import
            dom, ver = "", None
            for f2, v2 in _pb_fields(v):
                if f2 == 1:
                    dom = v2.decode()
                elif f2 == 2:
                    ver = v2
            if dom in ("", "ai.onnx"):
                opset = ver
        elif f == 7:
            graph = v
    nodes, inits = [], []
    for f, v in _pb_fields(graph):
        if f == 1:  # NodeProto
            ins, outs, name, op = [], [], "", ""
            for f2, v2 in _pb_fields(v):
                if f2 == 1:
                    ins.append(v2.decode())
                elif f2 == 2:
                    outs.append(v2.decode())
                elif f2 == 3:
                    name = v2.decode()
                elif f2 == 4:
                    op = v2.decode()
            nodes.append((name, op, ins, outs))
        elif f == 5:  # TensorProto initializer, name = field 8
            for f2, v2 in _pb_fields(v):
                if f2 == 8:
                    inits.append(v2.decode())
    return opset, Counter(nd[1] for nd in nodes), nodes, inits, "built-in protobuf walker"


# ----------------------------------------------------------------------------------------------
# onnxruntime-node check
# ----------------------------------------------------------------------------------------------

ORT_JS = r"""
const fs = require('fs');
const path = require('path');
const pnpm = path.join(process.env.GB_REPO, 'node_modules', '.pnpm');
const dir = fs.readdirSync(pnpm).filter((d) => d.startsWith('onnxruntime-node@')).sort().pop();
const ort = require(path.join(pnpm, dir, 'node_modules', 'onnxruntime-node'));
(async () => {
  const sess = await ort.InferenceSession.create(process.env.GB_ONNX);
  const feeds = JSON.parse(fs.readFileSync(process.env.GB_FEEDS, 'utf8'));
  const out = { runtime: 'onnxruntime-node ' + ort.env.versions.node + ' (CPU, default session options)',
    input_names: sess.inputNames, output_names: sess.outputNames, logits: [] };
  for (const f of feeds) {  // f.input_ids / f.attention_mask: [B][T]
    const B = f.input_ids.length, T = f.input_ids[0].length;
    const mk = (a) => new ort.Tensor('int64', BigInt64Array.from(a.flat().map(BigInt)), [B, T]);
    const r = await sess.run({ input_ids: mk(f.input_ids), attention_mask: mk(f.attention_mask) });
    const d = Array.from(r.logits.data), C = d.length / B;
    out.logits.push(Array.from({ length: B }, (_, b) => d.slice(b * C, (b + 1) * C)));
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def ort_check(onnx_path, feeds):
    tmp = os.path.join("/tmp", "gb_roberta_feeds.json")
    json.dump(feeds, open(tmp, "w"))
    env = dict(os.environ, GB_REPO=REPO, GB_ONNX=onnx_path, GB_FEEDS=tmp)
    res = subprocess.run(["node", "-e", ORT_JS], env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------------------------
# Reference computations
# ----------------------------------------------------------------------------------------------


def compute_methods(model, ids_list, special_mask, class_index):
    """All `attributions` methods for one target on `model` (float32 or float64). Returns dict."""
    ids = torch.tensor([ids_list])
    T = ids.shape[1]
    ones = torch.ones_like(ids)
    emb = model.roberta.embeddings.word_embeddings
    dtype = emb.weight.dtype
    with torch.no_grad():
        x = emb(ids)  # [1, T, H]
        pad_ids = torch.tensor([[i if s else PAD_ID for i, s in zip(ids_list, special_mask)]])
        b_pad = emb(pad_ids)
        b_zero = torch.zeros_like(x)

    def f_x(xb):  # target logit with the word-embedding output overridden; real input_ids for positions
        B = xb.shape[0]
        return model(ids.expand(B, T), attention_mask=ones.expand(B, T), word_embeds=xb)[:, class_index]

    res = {}
    with torch.no_grad():
        f_in = f_x(x)[0].item()
        f_base = {"zero": f_x(b_zero)[0].item(), "pad": f_x(b_pad)[0].item()}
    for base_name, b in (("zero", b_zero), ("pad", b_pad)):
        for meth in ("riemann_trapezoid", "gausslegendre"):
            attr = integrate(f_x, x, b, meth)
            pts = attr.sum(-1)[0]
            total = attr.sum().item()
            res["ig_%s_%s" % (base_name, meth)] = {
                "per_token_sum": pts.tolist(),
                "convergence_delta": total - (f_in - f_base[base_name]),
                "f_input_minus_f_baseline": f_in - f_base[base_name],
            }
    xg = x.clone().requires_grad_()
    out = f_x(xg)
    g = torch.autograd.grad(torch.unbind(out), xg)[0][0]  # [T, H]
    res["saliency"] = {"l2": g.norm(dim=-1).tolist(), "sum": g.sum(-1).tolist()}
    res["input_x_gradient"] = {"per_token_sum": (x[0].detach() * g).sum(-1).tolist()}
    with torch.no_grad():
        for key, rep in (("occlusion_pad", PAD_ID), ("occlusion_mask", MASK_ID)):
            drops = []
            for i in range(T):
                if special_mask[i]:
                    drops.append(None)
                    continue
                occ = ids.clone()
                occ[0, i] = rep
                # the real model recomputes position ids from the occluded ids (as the ONNX graph does)
                lo = model(occ, attention_mask=ones)[0, class_index].item()
                drops.append(f_in - lo)
            res[key] = {"replacement_id": rep, "logit_drop": drops}
    res["_target_logit"] = f_in
    return res


def ti_sequence_classification(model, clean_ids, class_index):
    """transformers-interpret 0.10.0 SequenceClassificationExplainer(text)(index=class_index), word embeddings,
    on a RobertaForSequenceClassification: LIG on get_input_embeddings(), target = softmax prob, 50 gausslegendre
    steps. TI lists "roberta" in its nonstandard_model_types (BaseExplainer.__init__), so accepts_position_ids and
    accepts_token_type_ids are False: inputs=input_ids, baselines=ref_input_ids, and the model computes its own
    position ids (from the real input_ids during integration, from ref_input_ids for Captum's f(baseline))."""
    ids = torch.tensor([clean_ids])
    T = ids.shape[1]
    n_text = T - 2
    ref_ids = torch.tensor([[BOS_ID] + [PAD_ID] * n_text + [EOS_ID]])
    am = torch.ones_like(ids)
    emb = model.roberta.embeddings.word_embeddings

    def prob(input_ids, word_embeds=None):
        logits = model(input_ids, attention_mask=am.expand_as(input_ids), word_embeds=word_embeds)
        return torch.softmax(logits, dim=1)[:, class_index]

    with torch.no_grad():
        x = emb(ids)
        b = emb(ref_ids)

    def f_layer(xb):  # LIG: layer output replaced, forward arg = the real input_ids (positions from them)
        B = xb.shape[0]
        return prob(ids.expand(B, T), word_embeds=xb)

    attr = integrate(f_layer, x, b, "gausslegendre")
    with torch.no_grad():
        f_end = prob(ids).item()
        f_start = prob(ref_ids).item()  # Captum: forward_func(*baselines)
    sums = attr.sum(dim=-1).squeeze(0)
    total = sums.sum().item()
    normed = sums / torch.norm(sums)
    return {
        "ref_input_ids": ref_ids[0].tolist(),
        "attributions_sum_unnormalized": sums.tolist(),
        "word_attributions_values": normed.tolist(),
        "target_prob": f_end,
        "convergence_delta": total - (f_end - f_start),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens-json", help="use these transformers.js tokenizations instead of running node")
    ap.add_argument("--save-tokens", help="save the transformers.js tokenizations to this file")
    ap.add_argument("--skip-ort", action="store_true")
    args = ap.parse_args()

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    os.makedirs(os.path.join(OUT_DIR, "onnx"), exist_ok=True)

    # --- static files -----------------------------------------------------------------------
    with open(os.path.join(OUT_DIR, "config.json"), "w") as fh:
        json.dump(CONFIG, fh, indent=2, sort_keys=True)
        fh.write("\n")
    for fn in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(SHARED_TOKENIZER, fn), os.path.join(OUT_DIR, fn))
        os.chmod(os.path.join(OUT_DIR, fn), 0o644)

    # --- tokenization (transformers.js) ------------------------------------------------------
    all_texts = []
    for _, t in INPUTS:
        all_texts += [t, ti_clean_text(t)]
    if args.tokens_json:
        tok = json.load(open(args.tokens_json))
    else:
        tok = tokenize_all(all_texts)
    if args.save_tokens:
        json.dump(tok, open(args.save_tokens, "w"), indent=1)
    assert tok["pad_token_id"] == PAD_ID and tok["mask_token_id"] == MASK_ID, tok
    for t in all_texts:
        e = tok["texts"][t]
        assert e["input_ids"][0] == BOS_ID and e["input_ids"][-1] == EOS_ID, e
        assert e["input_ids"][1:-1] == e["ids_no_special"], e

    # --- model ---------------------------------------------------------------------------------
    model = RobertaForSequenceClassification(CONFIG)
    init_weights(model, CONFIG)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)

    # --- ONNX export (float32) -----------------------------------------------------------------
    onnx_path = os.path.join(OUT_DIR, "onnx", "model.onnx")
    ex = tok["texts"][INPUTS[1][1]]
    dummy_ids = torch.tensor([ex["input_ids"]])
    dummy_mask = torch.ones_like(dummy_ids)
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy_ids, dummy_mask), onnx_path,
            export_params=True, opset_version=OPSET, do_constant_folding=True,
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "logits": {0: "batch_size"},
            },
        )
    opset, op_types, nodes, inits, parser = inspect_onnx(onnx_path)
    op_types = dict(sorted(op_types.items()))
    print("ONNX opset", opset, "(parsed with %s)" % parser)
    print("ONNX op types:", ", ".join("%s×%d" % kv for kv in op_types.items()))
    assert "CumSum" in op_types, "no CumSum in graph"
    assert "Not" in op_types or "Equal" in op_types, "no Not/Equal in graph"
    wname = "roberta.embeddings.word_embeddings.weight"
    assert wname in inits
    gnodes = [nd for nd in nodes if nd[1] == "Gather" and nd[2] and nd[2][0] == wname]
    assert len(gnodes) == 1, gnodes
    word_tensor = {"initializer": wname, "gather_node": gnodes[0][0], "output": gnodes[0][3][0]}
    print("word-embedding tensor:", word_tensor)
    pos_nodes = [nd for nd in nodes if nd[1] in ("Equal", "Not", "CumSum", "ConstantOfShape", "Where", "Expand")
                 or (nd[1] == "Gather" and nd[2] and "embeddings" in nd[2][0])]
    for nd in pos_nodes:
        print("   ", nd[1], nd[0], nd[2], "->", nd[3])

    # --- references ----------------------------------------------------------------------------
    m64 = RobertaForSequenceClassification(CONFIG)
    m64.load_state_dict(model.state_dict())
    m64 = m64.double().eval()
    for p in m64.parameters():
        p.requires_grad_(False)
    id2label = CONFIG["id2label"]

    inputs_out = []
    feeds = []
    for key, text in INPUTS:
        e = tok["texts"][text]
        ids_list = e["input_ids"]
        smask = e["special_tokens_mask"]
        ids = torch.tensor([ids_list])
        am = torch.ones_like(ids)
        with torch.no_grad():
            m64.return_attentions = True
            logits, probs_att = m64(ids, attention_mask=am)
            m64.return_attentions = False
            logits32 = model(ids, attention_mask=am)
        logits = logits[0]
        probs = torch.softmax(logits, dim=0)
        order = torch.argsort(logits, descending=True).tolist()
        entry = {
            "id": key, "text": text, "input_ids": ids_list, "tokens": e["tokens"],
            "attention_mask": e["attention_mask"], "special_tokens_mask": smask,
            "logits": logits.tolist(), "logits_float32": logits32[0].tolist(), "probs": probs.tolist(),
            "predicted_index": order[0], "predicted_label": id2label[str(order[0])],
            "attentions": {
                "layer_0": probs_att[0][0].tolist(), "last_layer": probs_att[-1][0].tolist(),
                "num_layers": len(probs_att), "shape": list(probs_att[0][0].shape),
            },
            "attributions": [],
        }
        diffs = Counter()
        for ci in order[:2]:
            r64 = compute_methods(m64, ids_list, smask, ci)
            r32 = compute_methods(model, ids_list, smask, ci)
            tl = r64.pop("_target_logit")
            r32.pop("_target_logit")
            a = {"target": {"class_index": ci}, "target_logit": tl}
            a.update(r64)
            entry["attributions"].append(a)
            for mk in r64:
                if mk.startswith("ig_") or mk == "input_x_gradient":
                    d = np.max(np.abs(np.array(r64[mk]["per_token_sum"]) - np.array(r32[mk]["per_token_sum"])))
                elif mk == "saliency":
                    d = max(np.max(np.abs(np.array(r64[mk][s]) - np.array(r32[mk][s]))) for s in ("l2", "sum"))
                else:
                    d = max(abs(p - q) for p, q in zip(r64[mk]["logit_drop"], r32[mk]["logit_drop"]) if p is not None)
                diffs[mk] = max(diffs[mk], float(d))
        entry["float32_vs_float64_max_abs_diff"] = dict(diffs)

        # transformers-interpret on the cleaned text
        ctext = ti_clean_text(text)
        ce = tok["texts"][ctext]
        ti_list = []
        for ci in order[:2]:
            t = ti_sequence_classification(m64, ce["input_ids"], ci)
            words = [s.replace("Ġ", "") for s in ce["tokens"]]
            ti_list.append({
                "explainer": "SequenceClassificationExplainer", "index": ci, "cleaned_text": ctext,
                "input_ids": ce["input_ids"], "ref_input_ids": t["ref_input_ids"],
                "word_attributions": [[w, v] for w, v in zip(words, t["word_attributions_values"])],
                "attributions_sum_unnormalized": t["attributions_sum_unnormalized"],
                "target_prob": t["target_prob"],
                "convergence_delta": t["convergence_delta"],
            })
        entry["transformers_interpret"] = ti_list
        inputs_out.append(entry)
        feeds.append({"input_ids": [ids_list], "attention_mask": [e["attention_mask"]]})

    refs = {
        "model": NAME,
        "task": "text-classification",
        "architecture": "RobertaForSequenceClassification",
        "set": "public",
        "generated_with": ("scripts/make_roberta_fixture.py: pure-PyTorch re-implementation of HF transformers 4.30 "
                           "RobertaForSequenceClassification on torch %s; Captum 0.8.0 IG/Saliency/InputXGradient "
                           "and transformers-interpret 0.10.0 SequenceClassificationExplainer reproduced by hand "
                           "(same points/weights/arithmetic); ids and tokens from @huggingface/transformers 4.3.1 "
                           "(transformers.js)" % torch.__version__),
        "dtype": "float64 (torch model cast to double) unless a field says float32",
        "n_steps": N_STEPS,
        "seed": SEED,
        "trained": False,
        "init": ("torch.Generator seeded %d, in named_modules order: Linear weight ~ N(0, 0.5), Linear bias ~ N(0, 0.1); "
                 "Embedding weight ~ N(0, 0.5) with padding row (id 1) of word and position embeddings zeroed; "
                 "LayerNorm weight ~ 1 + N(0, 0.1), bias ~ N(0, 0.1)" % SEED),
        "integration_schemes": check_schemes_against_shared(),
        "notes": {
            "position_ids": ("RoBERTa position ids are computed inside the model/graph from input_ids: "
                             "cumsum(input_ids != 1) * (input_ids != 1) + 1, i.e. 2..T+1 for unpadded input."),
            "ig_and_saliency": ("Gradient methods override the word-embedding output x only; position ids come from "
                                "the real input_ids (never from baseline ids). The pad baseline is E[1] = 0 for "
                                "non-special tokens (HF zeroes the padding row), so ig_pad differs from ig_zero only "
                                "through the <s>/</s> rows of the baseline."),
            "occlusion_pad": ("Occluding with <pad> (id 1) runs the real model on the occluded ids, so the position "
                              "ids are recomputed: the occluded token gets position 1 (zero embedding) and every "
                              "later token's position drops by 1. This is what the ONNX graph does too. "
                              "occlusion_mask (id 50264) leaves positions unchanged."),
            "transformers_interpret": ("TI 0.10.0 treats RoBERTa as a nonstandard model type: it passes no "
                                       "position_ids and no token_type_ids, so the model computes its positions "
                                       "(2..T+1) from the real input_ids during integration, and from "
                                       "ref_input_ids for Captum's f(baseline) (convergence_delta). Because TI cleans the text, RoBERTa's BPE gives "
                                       "'Ġ.'/'Ġ,'/'Ġ!'/'Ġ)' etc. and a trailing 'Ġ' (id 1437) token for the trailing "
                                       "space, so TI's input_ids differ from the refs input_ids. word_attributions "
                                       "tokens are convert_ids_to_tokens with 'Ġ' removed (the trailing 'Ġ' becomes '')."),
        },
        "onnx": {
            "onnx/model.onnx": {
                "opset": opset,
                "bytes": os.path.getsize(onnx_path),
                "op_types": op_types,
                "word_embedding_tensor": word_tensor,
                "inputs": ["input_ids", "attention_mask"],
                "outputs": ["logits"],
            }
        },
        "inputs": inputs_out,
    }

    # --- onnxruntime-node check ----------------------------------------------------------------
    if args.skip_ort:
        refs["onnx_check"] = {"skipped": True}
    else:
        try:
            # extra feeds: every single-token occlusion (pad / mask) of every input, batched per input,
            # and all inputs right-padded with <pad> (id 1) / attention_mask 0 in one batch
            extra, extra_ref = [], []
            for ent in inputs_out:
                ids_list = ent["input_ids"]
                occ = []
                for i, s_ in enumerate(ent["special_tokens_mask"]):
                    if not s_:
                        for rep in (PAD_ID, MASK_ID):
                            occ.append(ids_list[:i] + [rep] + ids_list[i + 1:])
                extra.append({"input_ids": occ, "attention_mask": [[1] * len(ids_list)] * len(occ)})
            Tm = max(len(ent["input_ids"]) for ent in inputs_out)
            padded = [ent["input_ids"] + [PAD_ID] * (Tm - len(ent["input_ids"])) for ent in inputs_out]
            pmask = [[1] * len(ent["input_ids"]) + [0] * (Tm - len(ent["input_ids"])) for ent in inputs_out]
            extra.append({"input_ids": padded, "attention_mask": pmask})
            for f in extra:
                with torch.no_grad():
                    extra_ref.append(model(torch.tensor(f["input_ids"]), attention_mask=torch.tensor(f["attention_mask"])).tolist())
            o = ort_check(onnx_path, feeds + extra)
            per = []
            for ent, lo in zip(inputs_out, o["logits"][:len(feeds)]):
                per.append(float(np.max(np.abs(np.array(lo[0]) - np.array(ent["logits_float32"])))))
            ex_d = [float(np.max(np.abs(np.array(lo) - np.array(rf)))) for lo, rf in zip(o["logits"][len(feeds):], extra_ref)]
            pad_vs_unpadded = max(
                float(np.max(np.abs(np.array(rf) - np.array(ent["logits_float32"]))))
                for rf, ent in zip(extra_ref[-1], inputs_out))
            refs["onnx_check"] = {
                "onnx/model.onnx": {
                    "runtime": o["runtime"], "compared_with": "logits_float32",
                    "max_abs_diff": max(per), "max_abs_diff_per_input": per,
                    "max_abs_diff_vs_float64_logits": max(
                        float(np.max(np.abs(np.array(lo[0]) - np.array(ent["logits"]))))
                        for ent, lo in zip(inputs_out, o["logits"][:len(feeds)])),
                    "ort_logits": [lo[0] for lo in o["logits"][:len(feeds)]],
                    "occluded_inputs_max_abs_diff_vs_float32_torch": max(ex_d[:-1]),
                    "occluded_inputs_count": sum(len(f["input_ids"]) for f in extra[:-1]),
                    "right_padded_batch_max_abs_diff_vs_float32_torch": ex_d[-1],
                    "right_padded_batch_torch_vs_unpadded_logits_float32": pad_vs_unpadded,
                }
            }
            print("onnxruntime-node: occluded max diff", max(ex_d[:-1]), "padded batch", ex_d[-1],
                  "padded-vs-unpadded torch", pad_vs_unpadded)
            print("onnxruntime-node max |logits - logits_float32| =", max(per))
            assert max(per) < 1e-4
        except Exception as exc:  # pragma: no cover
            print("onnxruntime-node check failed/skipped:", exc, file=sys.stderr)
            refs["onnx_check"] = {"skipped": True, "reason": str(exc)[:500]}

    def rnd(o):
        if isinstance(o, dict):
            return {k: rnd(v) for k, v in o.items()}
        if isinstance(o, list):
            return [rnd(v) for v in o]
        return r12(o)

    refs = rnd(refs)
    with open(os.path.join(OUT_DIR, "refs.json"), "w") as fh:
        json.dump(refs, fh, ensure_ascii=False, separators=(",", ":"))
    total = 0
    for root, _, files in os.walk(OUT_DIR):
        for fn in files:
            total += os.path.getsize(os.path.join(root, fn))
    print("wrote", OUT_DIR, "total bytes", total)


if __name__ == "__main__":
    main()
