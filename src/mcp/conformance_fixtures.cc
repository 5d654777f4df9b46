#include "mcp/conformance_fixtures.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "common/base64.h"
#include "mcp/protocol.h"
#include "mcp/request_state.h"

namespace cf::mcp {
namespace {

using nlohmann::json;

// A 1x1 PNG and a tiny WAV file, base64.
constexpr const char* kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "==";
constexpr const char* kWavBase64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

json Text(const std::string& text) { return {{"type", "text"}, {"text", text}}; }
json Image() { return {{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}}; }
json UserMessage(json content) { return {{"role", "user"}, {"content", std::move(content)}}; }

ToolResult TextResult(const std::string& text) {
  ToolResult r;
  r.text = text;
  return r;
}

ToolResult ContentResult(json blocks) {
  ToolResult r;
  r.content = std::move(blocks);
  return r;
}

Tool MakeTool(std::string name, std::string description,
              std::function<ToolResult(const json&, ToolContext&)> handler,
              json input_schema = nullptr) {
  Tool t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = input_schema.is_null() ? json{{"type", "object"}, {"properties", json::object()}}
                                          : std::move(input_schema);
  t.handler = std::move(handler);
  return t;
}

json StringArgSchema(const std::string& name, const std::string& description) {
  return {{"type", "object"},
          {"properties", {{name, {{"type", "string"}, {"description", description}}}}},
          {"required", {name}}};
}

json ElicitName(const std::string& message, const std::string& field) {
  return {{"method", "elicitation/create"},
          {"params",
           {{"message", message},
            {"requestedSchema",
             {{"type", "object"},
              {"properties", {{field, {{"type", "string"}}}}},
              {"required", {field}}}}}}};
}

json SamplingRequest(const std::string& text, int max_tokens) {
  return {{"method", "sampling/createMessage"},
          {"params", {{"messages", {UserMessage(Text(text))}}, {"maxTokens", max_tokens}}}};
}

json RootsRequest() { return {{"method", "roots/list"}, {"params", json::object()}}; }

// The answer to input request `key`, when the client sent one that looks like an object.
const json* Answer(const ToolContext& ctx, const std::string& key) {
  if (!ctx.input_responses.is_object()) return nullptr;
  auto it = ctx.input_responses.find(key);
  if (it == ctx.input_responses.end() || !it->is_object()) return nullptr;
  return &*it;
}

std::string SamplingText(const json& result) {
  if (result.contains("content") && result["content"].is_object()) {
    return result["content"].value("text", std::string());
  }
  if (result.contains("content") && result["content"].is_array() && !result["content"].empty()) {
    return result["content"][0].value("text", std::string());
  }
  return "";
}

void AddBasicTools(Registry& registry) {
  registry.AddTool(MakeTool("test_simple_text", "Tests simple text content response",
                            [](const json&, ToolContext&) {
                              return TextResult("This is a simple text response for testing.");
                            }));
  registry.AddTool(
      MakeTool("test_image_content", "Tests image content response",
               [](const json&, ToolContext&) { return ContentResult(json::array({Image()})); }));
  registry.AddTool(
      MakeTool("test_audio_content", "Tests audio content response", [](const json&, ToolContext&) {
        return ContentResult(
            json::array({{{"type", "audio"}, {"data", kWavBase64}, {"mimeType", "audio/wav"}}}));
      }));
  registry.AddTool(MakeTool("test_embedded_resource", "Tests embedded resource content response",
                            [](const json&, ToolContext&) {
                              return ContentResult(json::array(
                                  {{{"type", "resource"},
                                    {"resource",
                                     {{"uri", "test://embedded-resource"},
                                      {"mimeType", "text/plain"},
                                      {"text", "This is an embedded resource content."}}}}}));
                            }));
  registry.AddTool(MakeTool("test_multiple_content_types",
                            "Tests response with multiple content types (text, image, resource)",
                            [](const json&, ToolContext&) {
                              ToolResult r;
                              r.text = "Multiple content types test:";
                              r.content = json::array(
                                  {Image(),
                                   {{"type", "resource"},
                                    {"resource",
                                     {{"uri", "test://mixed-content-resource"},
                                      {"mimeType", "application/json"},
                                      {"text", json{{"test", "data"}, {"value", 123}}.dump()}}}}});
                              return r;
                            }));
  registry.AddTool(MakeTool("test_tool_with_logging",
                            "Tests tool that emits log messages during execution",
                            [](const json&, ToolContext& ctx) {
                              ctx.log("info", "Tool execution started");
                              Sleep(50);
                              ctx.log("info", "Tool processing data");
                              Sleep(50);
                              ctx.log("info", "Tool execution completed");
                              return TextResult("Tool with logging executed successfully");
                            }));
  registry.AddTool(MakeTool("test_logging_tool", "Emits log messages (respecting the log level)",
                            [](const json&, ToolContext& ctx) {
                              ctx.log("info", "Logging tool started");
                              ctx.log("warning", "Logging tool warning");
                              return TextResult("Logging tool done");
                            }));
  registry.AddTool(
      MakeTool("test_tool_with_progress", "Tests tool that reports progress notifications",
               [](const json&, ToolContext& ctx) {
                 for (int step : {0, 50, 100}) {
                   if (ctx.cancelled()) break;
                   ctx.progress(step, 100.0, fmt::format("Completed step {} of 100", step));
                   if (step < 100) Sleep(50);
                 }
                 return TextResult("Progress test completed");
               }));
  registry.AddTool(MakeTool("test_error_handling", "Tests error response handling",
                            [](const json&, ToolContext&) -> ToolResult {
                              throw std::invalid_argument(
                                  "This tool intentionally returns an error for testing");
                            }));
  Tool schema_tool = MakeTool(
      "json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
      [](const json& args, ToolContext&) { return TextResult("Received: " + args.dump()); },
      {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
       {"type", "object"},
       {"$defs",
        {{"address",
          {{"$anchor", "addressDef"},
           {"type", "object"},
           {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
       {"properties",
        {{"name", {{"type", "string"}}},
         {"address", {{"$ref", "#/$defs/address"}}},
         {"contactMethod", {{"type", "string"}, {"enum", {"phone", "email"}}}},
         {"phone", {{"type", "string"}}},
         {"email", {{"type", "string"}}}}},
       {"allOf", {{{"anyOf", {{{"required", {"phone"}}}, {{"required", {"email"}}}}}}}},
       {"if",
        {{"properties", {{"contactMethod", {{"const", "phone"}}}}},
         {"required", {"contactMethod"}}}},
       {"then", {{"required", {"phone"}}}},
       {"else", {{"required", {"email"}}}},
       {"additionalProperties", false}});
  registry.AddTool(schema_tool);
}

void AddClientRequestTools(Registry& registry) {
  registry.AddTool(MakeTool(
      "test_sampling", "Tests server-initiated sampling (LLM completion request)",
      [](const json& args, ToolContext& ctx) {
        const json result =
            ctx.request("sampling/createMessage",
                        {{"messages", {UserMessage(Text(args.value("prompt", std::string())))}},
                         {"maxTokens", 100}});
        const std::string text = SamplingText(result);
        return TextResult("LLM response: " + (text.empty() ? "No response" : text));
      },
      StringArgSchema("prompt", "The prompt to send to the LLM")));
  registry.AddTool(MakeTool(
      "test_elicitation", "Tests server-initiated elicitation (user input request)",
      [](const json& args, ToolContext& ctx) {
        const json result = ctx.request(
            "elicitation/create",
            {{"mode", "form"},
             {"message", args.value("message", std::string())},
             {"requestedSchema",
              {{"type", "object"},
               {"properties",
                {{"username", {{"type", "string"}, {"description", "User's response"}}},
                 {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
               {"required", {"username", "email"}}}}});
        return TextResult(fmt::format("User response: action={}, content={}",
                                      result.value("action", std::string("unknown")),
                                      result.value("content", json::object()).dump()));
      },
      StringArgSchema("message", "The message to show the user")));
  registry.AddTool(MakeTool(
      "test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034",
      [](const json&, ToolContext& ctx) {
        const json schema = {
            {"type", "object"},
            {"properties",
             {{"name", {{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
              {"age", {{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
              {"score", {{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
              {"status",
               {{"type", "string"},
                {"description", "User status"},
                {"enum", {"active", "inactive", "pending"}},
                {"default", "active"}}},
              {"verified",
               {{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}}},
            {"required", json::array()}};
        const json result =
            ctx.request("elicitation/create",
                        {{"mode", "form"},
                         {"message", "Please review and update the form fields with defaults"},
                         {"requestedSchema", schema}});
        return TextResult(fmt::format("Elicitation completed: action={}, content={}",
                                      result.value("action", std::string("unknown")),
                                      result.value("content", json::object()).dump()));
      }));
  registry.AddTool(MakeTool(
      "test_elicitation_sep1330_enums",
      "Tests elicitation with enum schema improvements (SEP-1330)",
      [](const json&, ToolContext& ctx) {
        const json schema = {
            {"type", "object"},
            {"properties",
             {{"untitledSingle",
               {{"type", "string"},
                {"description", "Untitled single-select"},
                {"enum", {"option1", "option2", "option3"}}}},
              {"titledSingle",
               {{"type", "string"},
                {"description", "Titled single-select"},
                {"oneOf",
                 {{{"const", "value1"}, {"title", "First Option"}},
                  {{"const", "value2"}, {"title", "Second Option"}},
                  {{"const", "value3"}, {"title", "Third Option"}}}}}},
              {"legacyEnum",
               {{"type", "string"},
                {"description", "Legacy titled enum"},
                {"enum", {"opt1", "opt2", "opt3"}},
                {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
              {"untitledMulti",
               {{"type", "array"},
                {"description", "Untitled multi-select"},
                {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
              {"titledMulti",
               {{"type", "array"},
                {"description", "Titled multi-select"},
                {"items",
                 {{"anyOf",
                   {{{"const", "value1"}, {"title", "First Choice"}},
                    {{"const", "value2"}, {"title", "Second Choice"}},
                    {{"const", "value3"}, {"title", "Third Choice"}}}}}}}}}},
            {"required", json::array()}};
        const json result = ctx.request("elicitation/create",
                                        {{"mode", "form"},
                                         {"message", "Please select options from the enum fields"},
                                         {"requestedSchema", schema}});
        return TextResult(fmt::format("Elicitation completed: action={}, content={}",
                                      result.value("action", std::string("unknown")),
                                      result.value("content", json::object()).dump()));
      }));
  registry.AddTool(MakeTool(
      "test_streaming_elicitation",
      "Asks the client for input (an input_required round trip in 2026-07-28)",
      [](const json&, ToolContext& ctx) {
        const json result =
            ctx.request("elicitation/create", ElicitName("What is your name?", "name")["params"]);
        return TextResult("Elicited: " + result.dump());
      }));
  registry.AddTool(MakeTool("test_missing_capability",
                            "Needs the client's sampling capability (rejected without it)",
                            [](const json&, ToolContext& ctx) {
                              if (!ctx.client_capabilities.contains("sampling")) {
                                throw MissingClientCapability(json{{"sampling", json::object()}});
                              }
                              return TextResult("The client declared sampling.");
                            }));
}

void AddListChangeTriggers(Registry& registry) {
  registry.AddTool(
      MakeTool("test_trigger_tool_change", "Adds or removes a tool (tools/list_changed)",
               [&registry](const json&, ToolContext&) {
                 if (!registry.RemoveTool("test_dynamic_tool")) {
                   registry.AddTool(
                       MakeTool("test_dynamic_tool", "A tool that comes and goes",
                                [](const json&, ToolContext&) { return TextResult("dynamic"); }));
                 }
                 return TextResult("Tool list changed");
               }));
  registry.AddTool(
      MakeTool("test_trigger_prompt_change", "Adds or removes a prompt (prompts/list_changed)",
               [&registry](const json&, ToolContext&) {
                 if (!registry.RemovePrompt("test_dynamic_prompt")) {
                   Prompt p;
                   p.name = "test_dynamic_prompt";
                   p.description = "A prompt that comes and goes";
                   p.get = [](const json&) { return json::array({UserMessage(Text("dynamic"))}); };
                   registry.AddPrompt(p);
                 }
                 return TextResult("Prompt list changed");
               }));
}

// 2026-07-28 multi round-trip request (input_required) fixtures.
void AddInputRequiredTools(Registry& registry) {
  registry.AddTool(MakeTool(
      "test_input_required_result_elicitation", "Asks for the user's name (input_required)",
      [](const json&, ToolContext& ctx) {
        const json* answer = Answer(ctx, "user_name");
        if (!answer || !answer->contains("action")) {
          throw InputRequired(json{{"user_name", ElicitName("What is your name?", "name")}});
        }
        const json content = answer->value("content", json::object());
        const std::string name =
            content.is_object() ? content.value("name", std::string("stranger")) : "stranger";
        return TextResult("Hello, " + name + "!");
      }));
  registry.AddTool(MakeTool(
      "test_input_required_result_sampling", "Asks the client's model a question (input_required)",
      [](const json&, ToolContext& ctx) {
        const json* answer = Answer(ctx, "capital_question");
        if (!answer) {
          throw InputRequired(
              json{{"capital_question", SamplingRequest("What is the capital of France?", 100)}});
        }
        return TextResult("The model answered: " + SamplingText(*answer));
      }));
  registry.AddTool(MakeTool("test_input_required_result_list_roots",
                            "Asks for the client's roots (input_required)",
                            [](const json&, ToolContext& ctx) {
                              const json* answer = Answer(ctx, "client_roots");
                              if (!answer || !answer->contains("roots")) {
                                throw InputRequired(json{{"client_roots", RootsRequest()}});
                              }
                              return TextResult("Client roots: " + (*answer)["roots"].dump());
                            }));
  registry.AddTool(MakeTool(
      "test_input_required_result_request_state", "Round-trips a requestState (input_required)",
      [](const json&, ToolContext& ctx) {
        const json* answer = Answer(ctx, "confirm");
        if (!answer || !ctx.request_state) {
          throw InputRequired({{"confirm",
                                {{"method", "elicitation/create"},
                                 {"params",
                                  {{"message", "Please confirm"},
                                   {"requestedSchema",
                                    {{"type", "object"},
                                     {"properties", {{"ok", {{"type", "boolean"}}}}},
                                     {"required", {"ok"}}}}}}}}},
                              SealRequestState({{"tool", "request_state"}, {"round", 1}}));
        }
        const json state = OpenRequestState(*ctx.request_state);
        if (state.value("tool", std::string()) != "request_state") {
          throw McpError(error_code::kInvalidParams, "requestState belongs to another request");
        }
        return TextResult("state-ok: confirmed " + answer->value("content", json::object()).dump());
      }));
  registry.AddTool(MakeTool("test_input_required_result_multiple_inputs",
                            "Asks for a name, a greeting and the roots at once (input_required)",
                            [](const json&, ToolContext& ctx) {
                              const json* name = Answer(ctx, "user_name");
                              const json* greeting = Answer(ctx, "greeting");
                              const json* roots = Answer(ctx, "client_roots");
                              if (!name || !greeting || !roots || !ctx.request_state) {
                                throw InputRequired(
                                    json{{"user_name", ElicitName("What is your name?", "name")},
                                         {"greeting", SamplingRequest("Generate a greeting", 50)},
                                         {"client_roots", RootsRequest()}},
                                    SealRequestState({{"tool", "multiple_inputs"}}));
                              }
                              OpenRequestState(*ctx.request_state);
                              return TextResult(fmt::format(
                                  "All inputs received: name={}, greeting={}, roots={}",
                                  name->value("content", json::object()).dump(),
                                  SamplingText(*greeting), roots->value("roots", json()).dump()));
                            }));
  registry.AddTool(MakeTool(
      "test_input_required_result_multi_round", "Asks two questions in two rounds (input_required)",
      [](const json&, ToolContext& ctx) {
        int round = 0;
        json collected = json::object();
        if (ctx.request_state) {
          const json state = OpenRequestState(*ctx.request_state);
          round = state.value("round", 0);
          collected = state.value("collected", json::object());
        }
        if (round == 1) {
          if (const json* step1 = Answer(ctx, "step1")) {
            collected["name"] = step1->value("content", json::object());
            throw InputRequired(
                {{"step2", ElicitName("Step 2: What is your favorite color?", "color")}},
                SealRequestState({{"round", 2}, {"collected", collected}}));
          }
        } else if (round == 2) {
          if (const json* step2 = Answer(ctx, "step2")) {
            collected["color"] = step2->value("content", json::object());
            return TextResult("Multi-round complete: " + collected.dump());
          }
          throw InputRequired(
              {{"step2", ElicitName("Step 2: What is your favorite color?", "color")}},
              SealRequestState({{"round", 2}, {"collected", collected}}));
        }
        throw InputRequired(json{{"step1", ElicitName("Step 1: What is your name?", "name")}},
                            SealRequestState({{"round", 1}, {"collected", json::object()}}));
      }));
  registry.AddTool(MakeTool("test_input_required_result_tampered_state",
                            "Rejects a requestState that was altered (input_required)",
                            [](const json&, ToolContext& ctx) {
                              if (!ctx.request_state) {
                                throw InputRequired(
                                    json{{"confirm", ElicitName("Please confirm", "ok")}},
                                    SealRequestState({{"tool", "tampered_state"}}));
                              }
                              OpenRequestState(*ctx.request_state);  // throws -32602 when altered
                              return TextResult("state-ok");
                            }));
  registry.AddTool(MakeTool("test_input_required_result_capabilities",
                            "Only asks for what the client declared it supports (input_required)",
                            [](const json&, ToolContext& ctx) {
                              const json& caps = ctx.client_capabilities;
                              json requests = json::object();
                              if (caps.contains("elicitation") && !Answer(ctx, "user_name")) {
                                requests["user_name"] = ElicitName("What is your name?", "name");
                              }
                              if (caps.contains("sampling") && !Answer(ctx, "greeting")) {
                                requests["greeting"] = SamplingRequest("Generate a greeting", 50);
                              }
                              if (caps.contains("roots") && !Answer(ctx, "client_roots")) {
                                requests["client_roots"] = RootsRequest();
                              }
                              if (!requests.empty()) throw InputRequired(requests);
                              return TextResult(
                                  "Completed with the capabilities the client declared");
                            }));

  Prompt prompt;
  prompt.name = "test_input_required_result_prompt";
  prompt.description = "A prompt that asks the client for context first (input_required)";
  prompt.get_with_context = [](const json&, ToolContext& ctx) {
    const json* answer = Answer(ctx, "user_context");
    if (!answer) {
      throw InputRequired(
          json{{"user_context", ElicitName("What context should the prompt use?", "context")}});
    }
    const json content = answer->value("content", json::object());
    return json::array({UserMessage(
        Text("Use this context: " +
             (content.is_object() ? content.value("context", std::string()) : std::string())))});
  };
  registry.AddPrompt(prompt);
}

void AddResources(Registry& registry) {
  Resource text;
  text.uri = "test://static-text";
  text.name = "Static Text Resource";
  text.description = "A static text resource for testing";
  text.mime_type = "text/plain";
  text.read = [] { return std::string("This is the content of the static text resource."); };
  registry.AddResource(text);

  Resource binary;
  binary.uri = "test://static-binary";
  binary.name = "Static Binary Resource";
  binary.description = "A static binary resource (image) for testing";
  binary.mime_type = "image/png";
  binary.binary = true;
  binary.read = [] { return Base64Decode(kPngBase64); };
  registry.AddResource(binary);

  Resource watched;
  watched.uri = "test://watched-resource";
  watched.name = "Watched Resource";
  watched.description = "A resource that can be subscribed to";
  watched.mime_type = "text/plain";
  watched.read = [] { return std::string("Watched resource content"); };
  registry.AddResource(watched);

  ResourceTemplate templ;
  templ.uri_template = "test://template/{id}/data";
  templ.name = "Resource Template";
  templ.description = "A resource template with parameter substitution";
  templ.mime_type = "application/json";
  templ.read = [](const std::string&, const std::map<std::string, std::string>& vars) {
    const std::string id = vars.at("id");
    return json{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}}.dump();
  };
  templ.complete = [](const std::string& variable, const std::string& prefix) {
    std::vector<std::string> out;
    if (variable != "id") return out;
    for (const char* v : {"123", "456", "789"}) {
      if (std::string(v).rfind(prefix, 0) == 0) out.push_back(v);
    }
    return out;
  };
  registry.AddResourceTemplate(templ);
}

void AddPrompts(Registry& registry) {
  Prompt simple;
  simple.name = "test_simple_prompt";
  simple.description = "A simple prompt without arguments";
  simple.get = [](const json&) {
    return json::array({UserMessage(Text("This is a simple prompt for testing."))});
  };
  registry.AddPrompt(simple);

  Prompt with_args;
  with_args.name = "test_prompt_with_arguments";
  with_args.description = "A prompt with required arguments";
  PromptArgument arg1{"arg1", "First test argument", true, nullptr};
  arg1.complete = [](const std::string& prefix) {
    std::vector<std::string> out;
    for (const char* v : {"paris", "park", "party", "test", "testValue1"}) {
      if (std::string(v).rfind(prefix, 0) == 0) out.push_back(v);
    }
    return out;
  };
  with_args.arguments = {arg1, {"arg2", "Second test argument", true, nullptr}};
  with_args.get = [](const json& args) {
    return json::array({UserMessage(
        Text(fmt::format("Prompt with arguments: arg1='{}', arg2='{}'",
                         args.value("arg1", std::string()), args.value("arg2", std::string()))))});
  };
  registry.AddPrompt(with_args);

  Prompt embedded;
  embedded.name = "test_prompt_with_embedded_resource";
  embedded.description = "A prompt that embeds a resource";
  embedded.arguments = {{"resourceUri", "URI of the resource to embed", true, nullptr}};
  embedded.get = [](const json& args) {
    return json::array(
        {UserMessage({{"type", "resource"},
                      {"resource",
                       {{"uri", args.value("resourceUri", std::string("test://embedded"))},
                        {"mimeType", "text/plain"},
                        {"text", "Embedded resource content for testing."}}}}),
         UserMessage(Text("Please process the embedded resource above."))});
  };
  registry.AddPrompt(embedded);

  Prompt image;
  image.name = "test_prompt_with_image";
  image.description = "A prompt that includes an image";
  image.get = [](const json&) {
    return json::array(
        {UserMessage(Image()), UserMessage(Text("Please analyze the image above."))});
  };
  registry.AddPrompt(image);
}

}  // namespace

void RegisterConformanceFixtures(Registry& registry) {
  AddBasicTools(registry);
  AddClientRequestTools(registry);
  AddListChangeTriggers(registry);
  AddInputRequiredTools(registry);
  AddResources(registry);
  AddPrompts(registry);
}

}  // namespace cf::mcp
