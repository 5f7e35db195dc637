// Starts Swagger UI on /api/docs (a file, not an inline script: the CSP allows only 'self').
// validatorUrl null: Swagger UI would otherwise ask swagger.io to validate the document.
window.addEventListener("load", function () {
  window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});
