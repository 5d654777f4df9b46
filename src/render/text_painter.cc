#include "render/text_painter.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>

#include "render/render_error.h"

namespace cf {
namespace {

void SetColour(cairo_t* cr, const Rgba& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void CheckFont(const std::string& font, const std::string& where) {
  PangoFontDescription* desc = pango_font_description_from_string(font.c_str());
  const char* fam = pango_font_description_get_family(desc);
  const std::string family = fam != nullptr ? fam : "";
  pango_font_description_free(desc);
  PangoFontMap* map = pango_cairo_font_map_get_default();
  PangoFontFamily** families = nullptr;
  int n = 0;
  pango_font_map_list_families(map, &families, &n);
  bool found = false;
  for (int i = 0; i < n && !found; ++i) {
    found = EqualsIgnoreCase(pango_font_family_get_name(families[i]), family);
  }
  g_free(families);
  if (!found) {
    throw RenderError("font family \"" + family + "\" (" + where +
                      ") is not installed; install fonts-noto-cjk (apt-get install "
                      "fonts-noto-cjk) or name an installed family (fc-list : family)");
  }
}

void RoundedRect(cairo_t* cr, double x, double y, double w, double h, double r, const Rgba& c) {
  r = std::min({r, w / 2, h / 2});
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
  SetColour(cr, c);
  cairo_fill(cr);
}

double DrawText(cairo_t* cr, const std::string& text, const TextStyle& s, double cx, double cy) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* desc = pango_font_description_from_string(s.font.c_str());
  pango_font_description_set_absolute_size(desc, s.size_px * PANGO_SCALE);
  pango_layout_set_font_description(layout, desc);
  pango_font_description_free(desc);
  if (s.max_width_px > 0) {
    pango_layout_set_width(layout, static_cast<int>(s.max_width_px * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
  pango_layout_set_text(layout, text.c_str(), -1);
  PangoRectangle ink, logical;
  pango_layout_get_pixel_extents(layout, &ink, &logical);
  const double w = logical.width, h = logical.height;
  // With a wrap width the layout box is max_width wide and lines are centred inside it.
  const double layout_w = s.max_width_px > 0 ? s.max_width_px : w;
  const double x = cx - layout_w / 2 - (s.max_width_px > 0 ? 0 : logical.x);
  const double y = cy - h / 2;
  if (s.box.a > 0) {
    const double bx = x + logical.x;
    RoundedRect(cr, bx - s.box_pad_px, y - s.box_pad_px * 0.6, w + 2 * s.box_pad_px,
                h + 1.2 * s.box_pad_px, s.box_pad_px, s.box);
  }
  cairo_move_to(cr, x, y);
  if (s.outline.a > 0 && s.outline_px > 0) {
    pango_cairo_layout_path(cr, layout);
    SetColour(cr, s.outline);
    cairo_set_line_width(cr, s.outline_px * 2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    SetColour(cr, s.colour);
    cairo_fill(cr);
  } else {
    SetColour(cr, s.colour);
    pango_cairo_show_layout(cr, layout);
  }
  g_object_unref(layout);
  return h + (s.box.a > 0 ? 1.2 * s.box_pad_px : 0);
}

}  // namespace cf
