package testbed_test

import (
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed"
)

// TestReadCPU: this process's CPU time grows while it computes, and an
// unknown process is an error.
func TestReadCPU(t *testing.T) {
	before, err := testbed.ReadCPU(0)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	x := uint64(1)
	for {
		for range 1 << 20 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		now, err := testbed.ReadCPU(0)
		if err != nil {
			t.Fatal(err)
		}
		if now < before {
			t.Fatalf("CPU time went back: %v after %v", now, before)
		}
		if now >= before+20*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stayed at %v while computing for 20 s (%d)", now, x)
		}
	}
	if _, err := testbed.ReadCPU(1 << 30); err == nil {
		t.Fatal("ReadCPU of a process that does not exist: no error")
	}
}
