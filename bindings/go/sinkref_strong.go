//go:build !go1.24

package cookieseal

// sinkRef before Go 1.24 (no weak pointers): a strong reference. A Diagnostic
// closure that captures its own Codec then keeps it alive until Close.
type sinkRef struct{ p *diagnosticSink }

func refTo(s *diagnosticSink) sinkRef { return sinkRef{s} }

func (r sinkRef) get() *diagnosticSink { return r.p }
