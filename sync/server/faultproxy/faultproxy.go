// Package faultproxy is a TCP proxy for tests that breaks connections on purpose: it cuts a
// connection in the middle of the request or of the response, delays it, or answers with an
// HTTP error status without reaching the server, as a plan decides for each new connection.
// It listens on 127.0.0.1 only. It exists to prove that sync survives bad networks; it is not
// part of the program.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is what the proxy does to one connection.
type Kind int

// The faults.
const (
	Pass        Kind = iota // forward both ways untouched
	CutRequest              // forward N bytes of the request, then close both sides
	CutResponse             // forward the request, then N bytes of the response, then close
	Delay                   // wait, then forward untouched
	Status                  // answer an HTTP status without contacting the server
	Refuse                  // close at once without reading
)

func (k Kind) String() string {
	return [...]string{"pass", "cut-request", "cut-response", "delay", "status", "refuse"}[k]
}

// Fault is the plan for one connection.
type Fault struct {
	Kind   Kind
	Bytes  int64         // CutRequest, CutResponse: bytes to let through before the cut
	Delay  time.Duration // Delay
	Status int           // Status: e.g. 503
}

// Proxy forwards connections from its address to a backend, injecting faults.
type Proxy struct {
	ln      net.Listener
	backend atomic.Value // string
	plan    func(n int) Fault
	n       atomic.Int64
	wg      sync.WaitGroup

	mu     sync.Mutex
	counts map[Kind]int
	conns  map[net.Conn]bool
	closed bool
}

// New starts a proxy on 127.0.0.1 (a free port) to backend ("127.0.0.1:port"). plan is
// called with the number of each new connection (0, 1, 2, …) and says what to do with it.
func New(backend string, plan func(n int) Fault) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p := &Proxy{ln: ln, plan: plan, counts: map[Kind]int{}, conns: map[net.Conn]bool{}}
	p.backend.Store(backend)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// URL is the proxy's http:// address.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetBackend points the proxy at another backend (a restarted server on a new port).
func (p *Proxy) SetBackend(addr string) { p.backend.Store(addr) }

// Counts returns how many connections got each fault.
func (p *Proxy) Counts() map[Kind]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Kind]int{}
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// Close stops the proxy and closes every connection it holds.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		f := p.plan(int(p.n.Add(1) - 1))
		p.mu.Lock()
		p.counts[f.Kind]++
		p.mu.Unlock()
		if !p.track(c) {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.handle(c, f)
		}()
	}
}

func (p *Proxy) handle(c net.Conn, f Fault) {
	switch f.Kind {
	case Refuse:
		return
	case Status:
		// Read the request head so the client has sent something, then answer.
		readHead(c)
		body := fmt.Sprintf("fault injected: %d\n", f.Status)
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			f.Status, http.StatusText(f.Status), len(body), body)
		return
	case Delay:
		time.Sleep(f.Delay)
	}
	b, err := net.Dial("tcp", p.backend.Load().(string))
	if err != nil {
		return
	}
	if !p.track(b) {
		return
	}
	defer p.untrack(b)
	up := io.Reader(c)
	down := io.Reader(b)
	switch f.Kind {
	case CutRequest:
		up = io.LimitReader(c, f.Bytes)
	case CutResponse:
		down = io.LimitReader(b, f.Bytes)
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(b, up); done <- struct{}{} }()
	go func() { io.Copy(c, down); done <- struct{}{} }()
	<-done // either direction ending (or being cut) ends the connection
}

// readHead reads from c until the end of an HTTP request head, or 64 KiB, or a short pause.
func readHead(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	var buf []byte
	tmp := make([]byte, 4096)
	for len(buf) < 64<<10 {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if bytes.Contains(buf, []byte("\r\n\r\n")) || err != nil {
			return
		}
	}
}
