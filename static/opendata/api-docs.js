// Starts Swagger UI on the API documentation page (opendata/api_docs.html). A script file, not
// an inline script: the portal's Content-Security-Policy (script-src 'self') forbids those.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    domNode: node,
    deepLinking: false,
    validatorUrl: null, // never send the schema to an outside validator
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    supportedSubmitMethods: ["get"],
    presets: [window.SwaggerUIBundle.presets.apis]
  });
})();
