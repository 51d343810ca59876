/**
 * The dashboard's browser entry: defines every element; `index.html` holds `<kiln-app>`.
 * @module
 */
import './elements/kiln-app.js';
