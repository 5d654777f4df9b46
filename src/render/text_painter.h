// Draws subtitles, titles and cards with Pango on Cairo (correct CJK shaping with the Noto CJK
// fonts). Promises: CheckFont throws RenderError when a font family is not installed, naming the
// family, where it came from, and the package to install; drawing never touches pixels outside the
// target surface.
#pragma once

#include <cairo.h>

#include <string>

#include "creative/scene_template.h"

namespace cf {

// Throws RenderError if the family of the Pango font description `font` is not installed.
void CheckFont(const std::string& font, const std::string& where);

struct TextStyle {
  std::string font;          // Pango description, e.g. "Noto Sans CJK SC Bold"
  double size_px = 48;       // font size in pixels
  Rgba colour;               // fill
  Rgba outline{0, 0, 0, 0};  // stroke (alpha 0 = none)
  double outline_px = 0;
  Rgba box{0, 0, 0, 0};  // rounded box behind the text (alpha 0 = none)
  double box_pad_px = 0;
  double max_width_px = 0;  // wrap width (0 = no wrapping)
};

// Draws `text` centred at (cx, cy); returns its height in pixels (box included).
double DrawText(cairo_t* cr, const std::string& text, const TextStyle& style, double cx, double cy);

// A filled rounded rectangle.
void RoundedRect(cairo_t* cr, double x, double y, double w, double h, double r, const Rgba& c);

}  // namespace cf
