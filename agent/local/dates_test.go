package local

import (
	"strings"
	"testing"
)

func TestCalendarFrom(t *testing.T) {
	for _, tc := range []struct {
		system string
		want   string
	}{
		{"You are an agent.\nToday is 2026-03-04.\n", "2026-03-04"},
		{"today is 2026-12-31", "2026-12-31"},
		{"Today is tomorrow.", ""},
		{"", ""},
	} {
		c := calendarFrom(tc.system)
		got := ""
		if c.known {
			got = c.today.Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("calendarFrom(%q) = %q, want %q", tc.system, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	// testCal is Wednesday 2026-03-04.
	for _, tc := range []struct {
		in, want string
		known    bool
	}{
		{"2026-12-05", "2026-12-05", true},
		{"3rd April", "2026-04-03", true},
		{"the 5th of April", "2026-04-05", true},
		{"March 20th", "2026-03-20", true},
		{"6/30/2027", "2027-06-30", true},
		{"30/03/2026", "2026-03-30", true},
		{"a fortnight from now", "2026-03-18", true},
		{"in a fortnight", "2026-03-18", true},
		{"two weeks from now", "2026-03-18", true},
		{"the end of the month", "2026-03-31", true},
		{"end of month", "2026-03-31", true},
		{"Friday week", "2026-03-13", true},
		{"tomorrow morning", "2026-03-05", true},
		{"today", "2026-03-04", true},
		{"tomorrow", "2026-03-05", true},
		{"the day after tomorrow", "2026-03-06", true},
		{"Monday", "2026-03-09", true},
		{"next Monday", "2026-03-09", true},
		{"on Friday", "2026-03-06", true},
		{"Wednesday", "2026-03-11", true}, // the next one, never today
		{"next week", "2026-03-11", true},
		{"in 3 days", "2026-03-07", true},
		{"in two weeks", "2026-03-18", true},
		{"in a week", "2026-03-11", true},
		{"December 5", "2026-12-05", true},
		{"Dec 5th, 2027", "2027-12-05", true},
		{"5 December", "2026-12-05", true},
		{"10th of January", "2027-01-10", true}, // already passed this year
		{"2026-12-05", "2026-12-05", false},     // absolute dates need no calendar
		{"5 December 2026", "2026-12-05", false},
	} {
		cal := testCal
		if !tc.known {
			cal = calendar{}
		}
		got, err := parseDate(tc.in, cal)
		if err != nil || got != tc.want {
			t.Errorf("parseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, reason string }{
		{"2026-02-30", "not a valid date"},
		{"04/05/2026", "could be 4 May 2026 or 5 April 2026"},
		{"31/02/2026", "not a valid date"},
		{"February 30", "not a valid date"},
		{"this week", "not a single day"},
	} {
		if _, err := parseDate(tc.in, testCal); err == nil || !strings.Contains(err.reason, tc.reason) {
			t.Errorf("parseDate(%q) error %v, want %q", tc.in, err, tc.reason)
		}
	}
	for _, in := range []string{"tomorrow", "next Monday", "in 3 days", "December 5"} {
		if _, err := parseDate(in, calendar{}); err == nil || !strings.Contains(err.reason, "today's date") {
			t.Errorf("parseDate(%q) without a date = %v, want a refusal naming today's date", in, err)
		}
	}
}
