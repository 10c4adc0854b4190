/* DOS Devices: each value becomes a symbolic link in \GLOBAL?? at boot
 * (smss.exe, SmpInitializeDosDevices), seen by every session.  A link is
 * judged by what it shadows or redirects, not by whether a list knows its
 * name: a drive letter, a name programs open (\\.\NUL, COM1, PIPE,
 * PhysicalDrive0 ...), or a target that is not a device object.  The names
 * Windows itself links (AUX, PRN, NUL, MAILSLOT, PIPE, UNC, CON, CONIN$,
 * CONOUT$, Silos) have a rule each, on their exact targets, and are left
 * to them.  Sources: docs/checks.md, "DOS Devices". */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum {
  F_NAMES,
  F_DRIVES,
  F_SHADOWING,
  F_REDIRECTS,
  F_DEVICE_LINKS,
  F_DRIVES_UNSAFE,
  F_DRIVES_FOLDER,
  F_DRIVES_DEVICE,
  F_DEVICE_SQUATS
};

static const char *const field_names[] = {
    "names",          "drives",        "shadowing",     "redirects",
    "device-links",   "drives-unsafe", "drives-folder", "drives-device",
    "device-squats",  NULL};

static bool ieq(const char *a, const char *b) {
  return sm_ascii_casecmp(a, b) == 0;
}

/* The names Windows links itself; each has its own rule. */
static bool windows_link(const char *name) {
  static const char *const own[] = {"AUX",  "PRN", "NUL", "MAILSLOT",
                                    "PIPE", "UNC", "CON", "CONIN$",
                                    "CONOUT$", "Silos"};
  for (size_t i = 0; i < sizeof own / sizeof *own; i++)
    if (ieq(name, own[i]))
      return true;
  return false;
}

/* prefix followed by one or more digits, and nothing else. */
static bool numbered(const char *name, const char *prefix) {
  size_t n = strlen(prefix), len = strlen(name);
  if (len <= n || !sm_ascii_prefix(name, len, prefix))
    return false;
  return strspn(name + n, "0123456789") == len - n;
}

/* A name programs open through \\.\ or as a reserved file name. */
static bool opened_name(const char *name) {
  static const char *const fixed[] = {"CLOCK$", "GLOBALROOT", "Global",
                                      "KsecDD", "PhysicalMemory"};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    if (ieq(name, fixed[i]))
      return true;
  static const char *const numbers[] = {"COM",     "LPT",  "PhysicalDrive",
                                        "CdRom",   "Tape", "HarddiskVolume",
                                        "Scsi",    "Harddisk"};
  for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
    if (numbered(name, numbers[i]))
      return true;
  size_t len = strlen(name);
  /* HarddiskNPartitionM */
  if (sm_ascii_prefix(name, len, "Harddisk")) {
    size_t d = strspn(name + 8, "0123456789");
    if (d && numbered(name + 8 + d, "Partition"))
      return true;
  }
  /* Volume{GUID} */
  return sm_ascii_prefix(name, len, "Volume{") && name[len - 1] == '}';
}

/* \Device\NAME, one component: a device object.  Anything else (a path on
 * a volume, a network path through Mup, \??\..., \BaseNamedObjects) leads
 * somewhere that is not a device. */
static bool device_object(const char *t) {
  size_t len = strlen(t);
  if (!sm_ascii_prefix(t, len, "\\Device\\"))
    return false;
  t += 8;
  t += strspn(t, "\\"); /* a doubled separator names nothing else */
  return *t && !strpbrk(t, "\\/");
}

/* Whether a device object target (\Device\NAME) is the device of that
 * very name: the link a driver creates for itself (vmsmb ->
 * \Device\vmsmb).  A link created here first takes the name, so the
 * driver's own link fails and whatever opens \\.\NAME reaches the
 * target: another device's name means its clients are sent elsewhere. */
static bool own_device(const char *name, const char *target) {
  const char *t = target + 8;
  t += strspn(t, "\\");
  return ieq(name, t);
}

/* A drive letter, graded by what it redirects (its "X:=target" goes to
 * one of three fields, with the reason after it where it is unsafe):
 * - over the system drive (C:, as the hive does not say otherwise), or a
 *   letter the mount manager gives a volume (MountedDevices) pointed at
 *   anything but a device: every program opening that drive reaches the
 *   target instead;
 * - a folder (subst-style, \??\C:\dir) or network path, by who can write
 *   it: users, the network, relative is unsafe, else an administrator's
 *   persistent subst (drives-folder);
 * - a device object (\Device\CdRom0, \Device\HarddiskVolume3, a virtual
 *   drive's \Device\ImDisk0): drives-device. */
static sm_result judge_drive(const sm_parse_args *a, sm_fields *out,
                             const char *name, const char *target) {
  char letter = (char)(name[0] | 32);
  const char *why = NULL;
  if (letter == 'c')
    why = "shadows the system drive";
  else if (device_object(target))
    return sm_field_pushf(&out->v[F_DRIVES_DEVICE], "%s=%s", name, target);
  else if (sm_env_volume_letter(a->in->env, letter))
    why = "shadows a volume's drive letter (MountedDevices)";
  if (!why) {
    char *r = sm_path_resolve(a->in->env, target);
    if (!r)
      return SM_ERR_NOMEM;
    if (!sm_place_protected(sm_path_place(r)))
      why = "a folder users can write, the network or a relative path";
    free(r);
  }
  if (!why)
    return sm_field_pushf(&out->v[F_DRIVES_FOLDER], "%s=%s", name, target);
  return sm_field_pushf(&out->v[F_DRIVES_UNSAFE], "%s=%s (%s)", name, target,
                        why);
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  sm_result r = sm_fields_init(out, field_names);
  for (size_t i = 0; r == SM_OK && i < a->n_values; i++) {
    const sm_value *v = a->values[i];
    if (!v || !v->name)
      continue;
    const char *name = v->name, *target = sm_smss_string(v);
    if ((r = sm_field_push(&out->v[F_NAMES], name)) != SM_OK)
      break;
    if (windows_link(name) || !target)
      continue;
    size_t len = strlen(name);
    bool drive = len == 2 && name[1] == ':' &&
                 ((name[0] | 32) >= 'a' && (name[0] | 32) <= 'z');
    int f = drive                   ? F_DRIVES
            : opened_name(name)     ? F_SHADOWING
            : !device_object(target) ? F_REDIRECTS
                                    : F_DEVICE_LINKS;
    if (f == F_DEVICE_LINKS && !own_device(name, target))
      f = F_DEVICE_SQUATS;
    r = sm_field_pushf(&out->v[f], "%s=%s", name, target);
    if (r == SM_OK && f == F_DRIVES)
      r = judge_drive(a, out, name, target);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_dos_devices = {.name = "dos-devices",
                                             .fields = field_names,
                                             .input = SM_INPUT_KEY,
                                             .needs = SM_NEEDS_ENVIRONMENT,
                                             .run = run};
