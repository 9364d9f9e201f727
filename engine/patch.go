package engine

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/seira-queue/seira/queue"
)

// PatchService changes the fields of service id that patch names, a JSON
// merge patch (RFC 7396): the read, the merge and the write are one
// transaction, so that two managers patching different fields both stand.
func (e *Engine) PatchService(ctx context.Context, actor, branch, id string, patch []byte) (queue.Service, error) {
	var s queue.Service
	err := e.write(ctx, branch, actor, func(o *op) error {
		cur, err := o.b.Service(id)
		if err != nil {
			return err
		}
		s = queue.Service{}
		if err := mergePatch(cur, patch, &s); err != nil {
			return err
		}
		if s.ID != id {
			return queue.Errorf(queue.CodeValidation, "a service's id cannot change")
		}
		_, err = o.putService(s, replaceOnly)
		return err
	})
	return s, err
}

// PatchBranch changes the settings of branch that patch names (RFC 7396).
func (e *Engine) PatchBranch(ctx context.Context, actor, branch string, patch []byte) (queue.Branch, error) {
	var br queue.Branch
	err := e.write(ctx, branch, actor, func(o *op) error {
		br = queue.Branch{}
		if err := mergePatch(o.cfg, patch, &br); err != nil {
			return err
		}
		if br.ID != branch {
			return queue.Errorf(queue.CodeValidation, "a branch's id cannot change")
		}
		if err := e.normaliseBranch(&br); err != nil {
			return err
		}
		if err := o.b.PutConfig(br); err != nil {
			return err
		}
		return o.emit(queue.Event{Type: queue.EvBranchUpdated, Subject: br.ID, Detail: detail(br)})
	})
	return br, err
}

// mergePatch merges patch into cur's JSON and decodes the result into out
// strictly: a field the type does not have is refused, as in a PUT.
func mergePatch(cur any, patch []byte, out any) error {
	var p any
	if err := json.Unmarshal(patch, &p); err != nil {
		return queue.Errorf(queue.CodeBadRequest, "malformed JSON: %v", err)
	}
	if _, ok := p.(map[string]any); !ok {
		return queue.Errorf(queue.CodeBadRequest, "a merge patch is a JSON object")
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	merged, err := json.Marshal(merge(doc, p))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return queue.Errorf(queue.CodeBadRequest, "the patched settings do not read: %v", err)
	}
	return nil
}

// merge is RFC 7396's MergePatch(target, patch).
func merge(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = merge(t[k], v)
	}
	return t
}
