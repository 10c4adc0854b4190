#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Binary data longer than this is shown cut, with its full length. */
#define SM_TEXT_BINARY_MAX 64

json_t *sm_json_time(uint64_t filetime) {
  char ts[32];
  sm_filetime_iso8601(filetime, ts, sizeof ts);
  return ts[0] ? json_string(ts) : json_null();
}

json_t *sm_json_string(const char *s) {
  json_t *j = json_string(s ? s : "");
  if (!j) {
    /* Not valid UTF-8: keep what can be read, escape the rest. */
    char *e = sm_text_escape(s, false);
    j = json_string(e ? e : "");
    free(e);
  }
  return j ? j : json_null();
}

json_t *sm_render_data_json(const sm_value *v) {
  if (v->status != SM_OK)
    return json_null();
  if (v->str)
    return sm_json_string(v->str);
  if (v->strv) {
    json_t *a = json_array();
    for (size_t i = 0; i < v->nstrv; i++)
      json_array_append_new(a, sm_json_string(v->strv[i]));
    return a;
  }
  if (v->has_num)
    return json_integer((json_int_t)v->num);
  char *h = sm_hex(v->data, v->len, v->len);
  json_t *j = sm_json_string(h ? h : "");
  free(h);
  return j;
}

json_t *sm_render_value_json(const sm_value *v) {
  char tbuf[32];
  json_t *o = json_object();
  json_object_set_new(o, "name", sm_json_string(v->name));
  json_object_set_new(o, "type",
                      json_string(sm_type_label(v->type, tbuf, sizeof tbuf)));
  json_object_set_new(o, "length", json_integer((json_int_t)v->len));
  json_object_set_new(o, "data", sm_render_data_json(v));
  if (v->status != SM_OK)
    json_object_set_new(o, "error", json_string(sm_result_str(v->status)));
  if (v->unterminated)
    json_object_set_new(o, "unterminated", json_true());
  if (v->odd_length)
    json_object_set_new(o, "odd_length", json_true());
  if (v->invalid_utf16)
    json_object_set_new(o, "invalid_utf16", json_true());
  return o;
}

void sm_render_value_text(FILE *f, const sm_value *v) {
  char tbuf[32];
  fputs("  ", f);
  if (v->name[0])
    sm_fputs_escaped(f, v->name, false);
  else
    fputs("(default)", f);
  fprintf(f, "  %s  ", sm_type_label(v->type, tbuf, sizeof tbuf));
  if (v->status != SM_OK) {
    fprintf(f, "<unreadable: %s>\n", sm_result_str(v->status));
    return;
  }
  if (v->str) {
    fputc('"', f);
    sm_fputs_escaped(f, v->str, true);
    fputc('"', f);
  } else if (v->strv) {
    fputc('[', f);
    for (size_t i = 0; i < v->nstrv; i++) {
      fputs(i ? ", \"" : "\"", f);
      sm_fputs_escaped(f, v->strv[i], true);
      fputc('"', f);
    }
    fputc(']', f);
  } else if (v->has_num) {
    if (v->type == SM_REG_QWORD)
      fprintf(f, "0x%016llx (%llu)", (unsigned long long)v->num,
              (unsigned long long)v->num);
    else
      fprintf(f, "0x%08llx (%llu)", (unsigned long long)v->num,
              (unsigned long long)v->num);
  } else {
    char *h = sm_hex(v->data, v->len, SM_TEXT_BINARY_MAX);
    fprintf(f, "hex:%s", h ? h : "");
    free(h);
    fprintf(f, " (%zu bytes)", v->len);
  }
  if (v->unterminated)
    fputs("  [unterminated]", f);
  if (v->odd_length)
    fputs("  [odd length]", f);
  if (v->invalid_utf16)
    fputs("  [invalid UTF-16]", f);
  fputc('\n', f);
}
