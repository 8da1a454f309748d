package testbed

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Point is one measurement of a curve: X (offered load, requests per
// second) against Y (latency, milliseconds).
type Point struct{ X, Y float64 }

// Series is one curve, e.g. the p99 latency.
type Series struct {
	Name   string
	Points []Point
}

// Panel is one chart: curves over a shared x axis, y on a log scale.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
}

// seriesColors are the curves' colors, in order.
var seriesColors = []string{"#1b9e77", "#d95f02", "#7570b3", "#e7298a"}

// PlotSVG writes panels side by side as one SVG image (no external tools):
// the latency-against-load plot of docs/benchmarks.md.
func PlotSVG(w io.Writer, title string, panels []Panel) error {
	const pw, ph, left, right, top, bottom = 420.0, 300.0, 60.0, 20.0, 50.0, 50.0
	width := float64(len(panels)) * pw
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		width, ph+20, width, ph+20)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="16" text-anchor="middle" font-size="13">%s</text>`+"\n", width/2, esc(title))
	for i, p := range panels {
		x0 := float64(i) * pw
		plotPanel(&b, p, x0+left, top, pw-left-right, ph-top-bottom+20)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func plotPanel(b *strings.Builder, p Panel, x0, y0, w, h float64) {
	xmax, ymin, ymax := 0.0, math.Inf(1), 0.0
	for _, s := range p.Series {
		for _, pt := range s.Points {
			xmax = max(xmax, pt.X)
			if pt.Y > 0 {
				ymin, ymax = min(ymin, pt.Y), max(ymax, pt.Y)
			}
		}
	}
	if xmax == 0 || ymax == 0 {
		fmt.Fprintf(b, `<text x="%.0f" y="%.0f">%s: no data</text>`+"\n", x0, y0+h/2, esc(p.Title))
		return
	}
	xmax *= 1.05
	lo, hi := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if hi == lo {
		hi++
	}
	px := func(x float64) float64 { return x0 + x/xmax*w }
	py := func(y float64) float64 { return y0 + h - (math.Log10(max(y, math.Pow(10, lo)))-lo)/(hi-lo)*h }
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" text-anchor="middle" font-size="12">%s</text>`+"\n", x0+w/2, y0-18, esc(p.Title))
	fmt.Fprintf(b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", x0, y0, w, h)
	for e := lo; e <= hi; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/><text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			x0, y, x0+w, y, x0-4, y+4, fmtNum(math.Pow(10, e)))
	}
	for k := 0; k <= 4; k++ {
		v := xmax / 1.05 * float64(k) / 4
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", px(v), y0+h+14, fmtNum(math.Round(v)))
	}
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x0+w/2, y0+h+30, esc(p.XLabel))
	fmt.Fprintf(b, `<text transform="translate(%.0f,%.0f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", x0-44, y0+h/2, esc(p.YLabel))
	for i, s := range p.Series {
		color := seriesColors[i%len(seriesColors)]
		var pts []string
		for _, pt := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(pt.X), py(pt.Y)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		for _, pt := range s.Points {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", px(pt.X), py(pt.Y), color)
		}
		fmt.Fprintf(b, `<rect x="%.0f" y="%.0f" width="10" height="3" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n",
			x0+8, y0+10+float64(i)*14, color, x0+22, y0+14+float64(i)*14, esc(s.Name))
	}
}

func fmtNum(v float64) string {
	if v < 1 {
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
