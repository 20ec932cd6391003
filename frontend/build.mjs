// Builds clusterfund's front-end assets into clusterfund/static/clusterfund/.
//
//   npm ci && npm run build      (or: make assets)
//
// Writes exactly two files:
//   app.css                 compiled from frontend/app.scss (compressed, no source map)
//   govuk-frontend.min.js   copied from the pinned govuk-frontend package, less
//                           its `//# sourceMappingURL=` comment: the .map is not
//                           shipped, and Django's ManifestStaticFilesStorage
//                           fails collectstatic on a reference to a missing file
//
// Nothing else from govuk-frontend's assets is copied: no fonts, no crown,
// crest or favicon images (clusterfund is not on GOV.UK). init.js and
// favicon.svg in the same folder are written by hand and left alone.

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nodeModules = join(root, 'node_modules')
const outDir = join(root, 'clusterfund', 'static', 'clusterfund')

const scssEntry = join(root, 'frontend', 'app.scss')
const cssOut = join(outDir, 'app.css')
const jsIn = join(nodeModules, 'govuk-frontend', 'dist', 'govuk', 'govuk-frontend.min.js')
const jsOut = join(outDir, 'govuk-frontend.min.js')

// Anything that must never reach the compiled CSS for a service not on GOV.UK.
const forbidden = [
  /@font-face/i,
  /GDS Transport/i,
  /gds-transport/i,
  /govuk-crest/i,
  /url\([^)]*crown/i,
  /url\(\s*["']?[^)]*\.(woff2?|ttf|otf|eot)\b/i
]

async function main () {
  await mkdir(outDir, { recursive: true })

  const result = await sass.compileAsync(scssEntry, {
    loadPaths: [nodeModules],
    style: 'compressed',
    sourceMap: false,
    // Keep the output free of deprecation noise from govuk-frontend's own files;
    // warnings from our own Sass are still shown.
    quietDeps: true
  })

  const css = result.css.endsWith('\n') ? result.css : result.css + '\n'
  const problems = forbidden.filter((pattern) => pattern.test(css))
  if (problems.length) {
    throw new Error(`compiled CSS contains forbidden content: ${problems.join(', ')}`)
  }

  const js = (await readFile(jsIn, 'utf8'))
    .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '')
    .trimEnd() + '\n'

  await writeFile(cssOut, css)
  await writeFile(jsOut, js)

  for (const file of [cssOut, jsOut]) {
    console.log(`wrote ${relative(root, file)}`)
  }
}

main().catch((error) => {
  console.error(error.message ?? error)
  process.exitCode = 1
})
