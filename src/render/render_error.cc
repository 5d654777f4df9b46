#include "render/render_error.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace cf {

std::string AvErrorText(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

int AvCheck(int code, const std::string& what) {
  if (code < 0) throw RenderError(what + ": " + AvErrorText(code));
  return code;
}

void QuietFfmpegLogs() { av_log_set_level(AV_LOG_FATAL); }

}  // namespace cf
