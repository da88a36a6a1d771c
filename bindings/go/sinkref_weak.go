//go:build go1.24

package cookieseal

import "weak"

// sinkRef reaches a Codec's diagnostic sink without keeping it alive.
type sinkRef struct{ p weak.Pointer[diagnosticSink] }

func refTo(s *diagnosticSink) sinkRef { return sinkRef{weak.Make(s)} }

// get is the sink, or nil once its Codec is gone.
func (r sinkRef) get() *diagnosticSink { return r.p.Value() }
