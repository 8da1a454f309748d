package local

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// calendar is what the agent knows about the current date. The loop puts
// "Today is YYYY-MM-DD." in the system prompt; without it, dates relative
// to today are refused rather than guessed.
type calendar struct {
	today time.Time
	known bool
}

var reTodayLine = regexp.MustCompile(`(?i)\btoday is (\d{4}-\d{2}-\d{2})\b`)

// calendarFrom reads today's date from a system prompt.
func calendarFrom(system string) calendar {
	m := reTodayLine.FindStringSubmatch(system)
	if m == nil {
		return calendar{}
	}
	t, err := time.Parse(time.DateOnly, m[1])
	if err != nil {
		return calendar{}
	}
	return calendar{today: t, known: true}
}

const (
	weekdayNames = `monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun`
	monthNames   = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`
	numberWords  = `\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten`
	// relDate are dates that may end a task title without a marker word:
	// "call Jane tomorrow".
	relDate = `today|tonight|tmrw|tmr|tomoz|2moro|tomorrow(?:\s+(?:morning|afternoon|evening|night))?|(?:the\s+)?day\s+after\s+tomorrow|(?:` + weekdayNames + `)\s+week|a\s+week\s+on\s+(?:` + weekdayNames + `)|(?:next|this|coming)\s+(?:week|` + weekdayNames + `)|in\s+(?:` + numberWords + `)\s+(?:days?|weeks?|fortnights?)|(?:` + numberWords + `)\s+(?:days?|weeks?|fortnights?)\s+(?:from\s+(?:now|today)|(?:from\s+)?today)|(?:a\s+|one\s+)?fortnight(?:\s+(?:from\s+)?(?:now|today))?|(?:at\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{4})?`
	// dateExpr are all the date forms understood.
	dateExpr = relDate + `|(?:on\s+)?(?:` + weekdayNames + `)|(?:` + monthNames + `)\.?\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:` + monthNames + `)\.?(?:,?\s+\d{4})?`
)

var (
	reISODate   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reMonthDay  = re(`^(` + monthNames + `)\.? (?:the )?(\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$`)
	reDayMonth  = re(`^(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?(` + monthNames + `)\.?(?:,? (\d{4}))?$`)
	reInN       = re(`^(?:in (` + numberWords + `) (days?|weeks?|fortnights?)|(` + numberWords + `) (days?|weeks?|fortnights?) (?:from (?:now|today)|(?:from )?today)|(?:(a|one) )?(fortnight)(?: (?:from )?(?:now|today))?)$`)
	reWeekday   = re(`^(?:(?:next|this|coming) )?(` + weekdayNames + `)$`)
	reWeekOn    = re(`^(?:(` + weekdayNames + `) week|a week on (` + weekdayNames + `))$`)
	reNumeric   = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$`)
	reTimeOfDay = re(` (?:morning|afternoon|evening|night)$`)
)

// parseDate turns a date expression into YYYY-MM-DD. A weekday ("Monday",
// "next Monday") is the first such day after today.
func parseDate(expr string, cal calendar) (string, *parseError) {
	e := strings.ToLower(strings.Join(strings.Fields(expr), " "))
	e = strings.TrimPrefix(e, "on ")
	if t, err := time.Parse(time.DateOnly, e); err == nil {
		return t.Format(time.DateOnly), nil
	} else if reISODate.MatchString(e) {
		return "", refuse("%q is not a valid date", expr)
	}
	if m := reNumeric.FindStringSubmatch(e); m != nil {
		return numericDate(expr, m[1], m[2], m[3], cal)
	}
	if m := reMonthDay.FindStringSubmatch(e); m != nil {
		return calendarDate(expr, m[1], m[2], m[3], cal)
	}
	if m := reDayMonth.FindStringSubmatch(e); m != nil {
		return calendarDate(expr, m[2], m[1], m[3], cal)
	}
	if !cal.known {
		return "", refuse("I don't know today's date, so I can't work out %q; give the date as YYYY-MM-DD", expr)
	}
	t := cal.today
	if strings.HasPrefix(e, "tomorrow ") || e == "tonight" {
		e = reTimeOfDay.ReplaceAllString(e, "")
	}
	e = strings.TrimPrefix(e, "at ")
	switch e {
	case "tmrw", "tmr", "tomoz", "2moro":
		e = "tomorrow"
	}
	switch e {
	case "end of month", "end of the month", "end of this month", "the end of the month", "the end of this month", "the end of month":
		return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
	case "today", "tonight":
		return day(t, 0), nil
	case "tomorrow":
		return day(t, 1), nil
	case "day after tomorrow", "the day after tomorrow":
		return day(t, 2), nil
	case "next week":
		return day(t, 7), nil
	case "this week", "coming week":
		return "", refuse("%q is not a single day; give a date such as 2026-12-05 or a weekday", expr)
	}
	if m := reInN.FindStringSubmatch(e); m != nil {
		num, unit := m[1]+m[3]+m[5], m[2]+m[4]+m[6]
		n := wordNumber(num)
		if num == "" {
			n = 1
		}
		switch {
		case strings.HasPrefix(unit, "week"):
			n *= 7
		case strings.HasPrefix(unit, "fortnight"):
			n *= 14
		}
		return day(t, n), nil
	}
	if m := reWeekOn.FindStringSubmatch(e); m != nil {
		// "Friday week": the Friday after next Friday.
		want := weekdayOf(m[1] + m[2])
		d := (int(want) - int(t.Weekday()) + 7) % 7
		if d == 0 {
			d = 7
		}
		return day(t, d+7), nil
	}
	if m := reWeekday.FindStringSubmatch(e); m != nil {
		want := weekdayOf(m[1])
		d := (int(want) - int(t.Weekday()) + 7) % 7
		if d == 0 {
			d = 7
		}
		return day(t, d), nil
	}
	return "", refuse("I could not read the date %q; give it as YYYY-MM-DD", expr)
}

// calendarDate builds a date from a month name, a day and an optional
// year; without a year it is the next such date from today.
func calendarDate(expr, month, dayText, yearText string, cal calendar) (string, *parseError) {
	mon := monthOf(month)
	d, _ := strconv.Atoi(dayText)
	year := 0
	if yearText != "" {
		year, _ = strconv.Atoi(yearText)
	} else {
		if !cal.known {
			return "", refuse("I don't know today's date, so I can't tell the year of %q; give the date as YYYY-MM-DD", expr)
		}
		year = cal.today.Year()
	}
	t := time.Date(year, mon, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != mon {
		return "", refuse("%q is not a valid date", expr)
	}
	if yearText == "" && t.Before(cal.today) {
		t = t.AddDate(1, 0, 0)
	}
	return t.Format(time.DateOnly), nil
}

// numericDate reads 30/06/2027 (British) and 6/30/2027 (American). When
// both readings are valid dates and differ, it asks rather than guess.
//
// Without a year (15/3) it is the next such date from today.
func numericDate(expr, a, b, yearText string, cal calendar) (string, *parseError) {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	year, _ := strconv.Atoi(yearText)
	if yearText == "" {
		if !cal.known {
			return "", refuse("I don't know today's date, so I can't tell the year of %q; give the date as YYYY-MM-DD", expr)
		}
		year = cal.today.Year()
		d, err := numericDate(expr, a, b, strconv.Itoa(year), cal)
		if err != nil {
			return "", err
		}
		if t, _ := time.Parse(time.DateOnly, d); t.Before(cal.today) {
			return numericDate(expr, a, b, strconv.Itoa(year+1), cal)
		}
		return d, nil
	}
	valid := func(d, m int) bool {
		if m < 1 || m > 12 || d < 1 {
			return false
		}
		return time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
	}
	dm, md := valid(x, y), valid(y, x)
	switch {
	case dm && md && x != y:
		return "", refuse("%q could be %s or %s; write the date as YYYY-MM-DD", expr,
			time.Date(year, time.Month(y), x, 0, 0, 0, 0, time.UTC).Format("2 January 2006"),
			time.Date(year, time.Month(x), y, 0, 0, 0, 0, time.UTC).Format("2 January 2006"))
	case dm:
		return time.Date(year, time.Month(y), x, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
	case md:
		return time.Date(year, time.Month(x), y, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
	}
	return "", refuse("%q is not a valid date", expr)
}

func day(t time.Time, n int) string { return t.AddDate(0, 0, n).Format(time.DateOnly) }

func monthOf(s string) time.Month {
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(strings.ToLower(m.String()), strings.ToLower(s)[:3]) {
			return m
		}
	}
	return time.January
}

func weekdayOf(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), strings.ToLower(s)[:3]) {
			return d
		}
	}
	return time.Monday
}

func wordNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	words := []string{"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	for i, w := range words {
		if w == s {
			return i
		}
	}
	return 1 // "a", "an"
}
