// Moved to the client package (frontend/client/src/keep-fresh.js, served at /static/client/).
// Kept so that the app's modules and pages import it from here as before.
export * from '../client/keep-fresh.js';
