/* Placeholder for the national error-report widget (jiucuo.js) the real pages load. */
