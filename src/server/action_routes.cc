#include "server/action_routes.h"

#include <fmt/format.h>

#include "action/openapi.h"

namespace cf::server {

void MountActionRoutes(HttpServer& http, action::ActionApi& api,
                       std::function<nlohmann::json()> status) {
  using Json = nlohmann::json;
  auto send_json = [](httplib::Response& res, const Json& j) {
    res.status = 200;
    res.set_content(j.dump(), "application/json");
  };
  http.routes().Post(R"(/api/v1/([A-Za-z0-9_]+))", [&api, send_json](const httplib::Request& req,
                                                                     httplib::Response& res) {
    const std::string name = req.matches[1];
    Json args = Json::object();
    if (!req.body.empty()) {
      args = Json::parse(req.body, nullptr, false);
      if (args.is_discarded()) {
        HttpServer::SendError(res, 400, "invalid_json",
                              "the request body is not valid JSON; send a JSON object of the "
                              "action's arguments (see /openapi.json)");
        return;
      }
      if (!args.is_object()) {
        HttpServer::SendError(
            res, 400, "invalid_argument",
            fmt::format("the request body must be a JSON object, got {}", args.type_name()));
        return;
      }
    }
    try {
      action::CallContext ctx;
      ctx.actor = "merchant:http";
      send_json(res, api.Call(name, args, ctx));
    } catch (const action::ActionError& e) {
      HttpServer::SendError(res, e.http_status(), e.code(), e.what());
    } catch (const std::exception& e) {
      HttpServer::SendError(res, 500, "internal",
                            fmt::format("the action failed inside the server: {}", e.what()));
    }
  });
  http.routes().Get("/api/v1/status",
                    [status, send_json](const httplib::Request&, httplib::Response& res) {
                      send_json(res, status ? status() : Json::object());
                    });
  http.routes().Get("/openapi.json",
                    [&api, send_json](const httplib::Request&, httplib::Response& res) {
                      send_json(res, action::OpenApiDocument("0.1.0", api.Specs()));
                    });
}

}  // namespace cf::server
