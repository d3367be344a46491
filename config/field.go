package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// field is one configurable struct field.
type field struct {
	name string
	help string
	v    reflect.Value
}

var durationType = reflect.TypeOf(time.Duration(0))

func fieldsOf(cfg any) ([]field, error) {
	rv := reflect.ValueOf(cfg)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, errors.New("config: Load needs a pointer to a struct")
	}
	rv = rv.Elem()
	var out []field
	for i := 0; i < rv.NumField(); i++ {
		sf := rv.Type().Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("toml"), ",")
		if !sf.IsExported() || name == "" || name == "-" {
			continue
		}
		out = append(out, field{name: name, help: sf.Tag.Get("help"), v: rv.Field(i)})
	}
	return out, nil
}

// set parses s into the field.
func (f field) set(s string) error {
	if f.v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("not a duration like 200ms or 1m30s")
		}
		f.v.SetInt(int64(d))
		return nil
	}
	switch f.v.Kind() {
	case reflect.String:
		f.v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("not true or false")
		}
		f.v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 0, f.v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		f.v.SetInt(n)
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16:
		n, err := strconv.ParseUint(s, 0, f.v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not a non-negative integer")
		}
		f.v.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		f.v.SetFloat(x)
	case reflect.Slice:
		return f.setList(s)
	default:
		return fmt.Errorf("config: unsupported field type %s", f.v.Type())
	}
	return nil
}

func (f field) setList(s string) error {
	if f.v.Type().Elem().Kind() != reflect.String {
		return fmt.Errorf("config: unsupported field type %s", f.v.Type())
	}
	var items []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			items = append(items, p)
		}
	}
	f.v.Set(reflect.ValueOf(items))
	return nil
}

// format renders the value as flags and the environment take it.
func (f field) format() string {
	if f.v.Type() == durationType {
		return time.Duration(f.v.Int()).String()
	}
	if f.v.Kind() == reflect.Slice {
		return strings.Join(f.v.Interface().([]string), ",")
	}
	return fmt.Sprint(f.v.Interface())
}

// tomlValue renders the value as a TOML literal.
func (f field) tomlValue() string {
	switch {
	case f.v.Type() == durationType:
		return strconv.Quote(time.Duration(f.v.Int()).String())
	case f.v.Kind() == reflect.String:
		return strconv.Quote(f.v.String())
	case f.v.Kind() == reflect.Slice:
		quoted := make([]string, f.v.Len())
		for i := range quoted {
			quoted[i] = strconv.Quote(f.v.Index(i).String())
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	return f.format()
}
