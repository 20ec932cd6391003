// Initialises GOV.UK Frontend's JavaScript components.
// Load with <script type="module" src="…/init.js"></script>; the page's <body>
// should also get the `govuk-frontend-supported` class, as GOV.UK Frontend expects.
import { initAll } from './govuk-frontend.min.js'

initAll()
