/** What GET / answers to a browser when the storefront page is not built (src/http/storefront.route.ts): where the API is, with nothing loaded from elsewhere. */
export const LANDING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>lookalike</title></head>
<body>
<h1>lookalike</h1>
<p>Product recommendations by image similarity. This address is a GraphQL endpoint:
POST a JSON body <code>{"query": "..."}</code> to <code>/</code>.</p>
<p>The schema, with a description of every field: <a href="/schema.graphql">/schema.graphql</a>.</p>
</body>
</html>
`;
